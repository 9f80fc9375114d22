using System.Net.Sockets;
using TrainingPlatform.Api.Email;
using TrainingPlatform.Tests.ServiceDefaults;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// Reset emails when the mail server misbehaves: the request answers 202 at once whatever the server does, failed
/// sends are retried and counted, and queued resets are still delivered when the API shuts down.
/// </summary>
[LongRunning(50)]
public class PasswordResetDeliveryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task With_the_mail_server_down_the_request_is_accepted_and_the_email_arrives_once_it_is_back()
    {
        using var down = RefusingPort();
        var smtpPort = ((IPEndPoint)down.LocalEndPoint!).Port;
        await using var api = await ApiServer.StartAsync(MailSettings(smtpPort));
        using var client = api.CreateHttpClient();
        var email = await RegisterAsync(client);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email })).StatusCode);

        var failing = await ScrapeUntilAsync(client, metrics => metrics.ValueOrZero(EmailMetrics.SentTotal, ("result", "failed")) >= 3);
        Assert.Equal(0, failing.ValueOrZero(EmailMetrics.SentTotal, ("result", "sent")));
        Assert.Equal(0, failing.ValueOrZero(EmailMetrics.SentTotal, ("result", "abandoned")));
        Assert.Equal(1, failing.Value(EmailMetrics.QueueBacklog));

        // The port was the test's own until now: nothing else could have answered on it while the server was down.
        down.Dispose();
        await using var mail = await MailCatcher.StartNewAsync(smtpPort);
        var delivered = Assert.Single(await mail.WaitForMessagesAsync(email, 1, Bound));
        var token = ResetEmails.Token(delivered);
        var after = await ScrapeUntilAsync(client, metrics => metrics.ValueOrZero(EmailMetrics.QueueBacklog) == 0);
        Assert.Equal(1, after.Value(EmailMetrics.SentTotal, ("result", "sent")));
        Assert.True(after.Value(EmailMetrics.SentTotal, ("result", "failed")) >= 3);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync("/api/v1/password/reset/confirm",
            new { token, newPassword = "back from the outage" })).StatusCode);
    }

    [Fact]
    public async Task A_mail_server_that_never_answers_does_not_hold_up_the_request()
    {
        // Accepts connections and says nothing: the SMTP client waits for a greeting that never comes.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var api = await ApiServer.StartAsync(MailSettings(port));
        using var client = api.CreateHttpClient();
        var email = await RegisterAsync(client);

        var response = await client.PostAsJsonAsync("/api/v1/password/reset", new { email });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        using var connected = await silent.AcceptTcpClientAsync(new CancellationTokenSource(Bound).Token);
        // The answer came while the send is still waiting on the server: nothing sent, nothing failed, one in the backlog.
        var metrics = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(1, metrics.Value(EmailMetrics.QueueBacklog));
        Assert.Equal(0, metrics.ValueOrZero(EmailMetrics.SentTotal, ("result", "sent")) + metrics.ValueOrZero(EmailMetrics.SentTotal, ("result", "failed")));
    }

    [Fact]
    public async Task Resets_queued_at_shutdown_are_still_delivered_before_the_process_exits()
    {
        var mail = await MailCatcher.SharedAsync();
        await using var postgres = await PostgresServer.StartNewAsync();
        await using var api = await ApiProcess.StartAsync(await postgres.CreateDatabaseAsync(),
            new Dictionary<string, string?>(mail.ApiSettings) { ["PasswordReset__Sender"] = null });
        using var client = api.CreateHttpClient();
        var emails = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            emails.Add(await RegisterAsync(client));
        }

        foreach (var email in emails)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email })).StatusCode);
        }
        Assert.Equal(0, await api.TerminateAsync(Bound));

        foreach (var email in emails)
        {
            // Accepted by the catcher before the API exited; it may list the message a moment later.
            Assert.Single(await mail.WaitForMessagesAsync(email, 1, Bound));
        }
        Assert.DoesNotContain("abandoned", api.Output);
    }

    [Fact]
    public async Task At_shutdown_with_the_mail_server_down_the_drain_ends_in_time_and_says_what_it_abandoned()
    {
        await using var postgres = await PostgresServer.StartNewAsync();
        using var down = RefusingPort();
        await using var api = await ApiProcess.StartAsync(await postgres.CreateDatabaseAsync(),
            new Dictionary<string, string?>(MailSettings(((IPEndPoint)down.LocalEndPoint!).Port))
            {
                ["PasswordReset__Sender"] = null,
                ["PasswordReset__DrainTimeout"] = "00:00:02",
            });
        using var client = api.CreateHttpClient();
        var emails = new[] { await RegisterAsync(client), await RegisterAsync(client) };
        foreach (var email in emails)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email })).StatusCode);
        }
        await ScrapeUntilAsync(client, metrics => metrics.ValueOrZero(EmailMetrics.SentTotal, ("result", "failed")) >= 1);

        Assert.Equal(0, await api.TerminateAsync(Bound));
        var drainEnd = Assert.Single(api.Records("TrainingPlatform.Api.Accounts.PasswordResetDelivery"),
            record => record.GetProperty("Message").GetString()!.Contains("queued password reset requests abandoned"));
        Assert.Equal("Warning", drainEnd.GetProperty("LogLevel").GetString());
        Assert.Equal(2, drainEnd.GetProperty("State").GetProperty("Left").GetInt32());
    }

    [Fact]
    public async Task A_mail_server_that_offers_no_starttls_gets_nothing_and_the_refusal_is_counted_and_logged()
    {
        // smtp4dev offers no STARTTLS, as a server behind someone who strips it from the greeting would not.
        var mail = await MailCatcher.SharedAsync();
        var postgres = await PostgresServer.SharedAsync();
        await using var api = await ApiProcess.StartAsync(await postgres.CreateDatabaseAsync(),
            new Dictionary<string, string?>(mail.ApiSettings)
            {
                ["ConnectionStrings__smtp"] = mail.StartTlsConnectionString,
                ["PasswordReset__Sender"] = null,
            });
        using var client = api.CreateHttpClient();
        var email = await RegisterAsync(client);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email })).StatusCode);

        var refused = await ScrapeUntilAsync(client, metrics => metrics.ValueOrZero(EmailMetrics.SentTotal, ("result", "abandoned")) >= 1);
        Assert.Equal(1, refused.Value(EmailMetrics.SentTotal, ("result", "failed")));
        Assert.Equal(0, refused.Value(EmailMetrics.SentTotal, ("result", "sent")));
        Assert.Empty(await mail.MessagesToAsync(email));
        var why = Assert.Single(api.Records("TrainingPlatform.Api.Accounts.PasswordResetDelivery"),
            record => record.GetProperty("Message").GetString()!.Contains("abandoned after attempt 1"));
        Assert.Equal("Error", why.GetProperty("LogLevel").GetString());
        Assert.Contains("does not offer STARTTLS, so nothing was sent", why.GetProperty("Message").GetString());
    }

    [Fact]
    public async Task The_reset_email_carries_no_text_the_account_holder_chose()
    {
        // Anyone can register anyone's address; what they choose as a name must not reach that mailbox as our words.
        const string planted = "Mallory says call +1 555 0100";
        var mail = await MailCatcher.SharedAsync();
        await using var api = await ApiServer.StartAsync(new Dictionary<string, string?>(ApiFixture.Settings.Concat(mail.ApiSettings)));
        using var client = api.CreateHttpClient();
        var email = $"named-{Guid.NewGuid():N}@example.test";
        await TestAccounts.RegisterAsync(client, email, displayName: planted);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email })).StatusCode);

        var delivered = Assert.Single(await mail.WaitForMessagesAsync(email, 1, Bound));
        ResetEmails.Token(delivered);
        Assert.DoesNotContain("Mallory", delivered.Text);
        Assert.DoesNotContain("Mallory", delivered.Html);
        Assert.DoesNotContain(delivered.Headers, header => header.Value.Contains("Mallory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_recipient_the_relay_keeps_deferring_does_not_hold_up_other_resets()
    {
        await using var relay = new DeferringRelay("deferred.example.test");
        await using var api = await ApiServer.StartAsync(new Dictionary<string, string?>(MailSettings(relay.Port))
        {
            ["PasswordReset:RetryDelay"] = "00:00:01",
            ["PasswordReset:MaxRetryDelay"] = "00:00:02",
        });
        using var client = api.CreateHttpClient();
        var deferred = $"greylisted-{Guid.NewGuid():N}@deferred.example.test";
        await TestAccounts.RegisterAsync(client, deferred);
        var others = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            others.Add(await RegisterAsync(client));
        }

        // The deferred address first: on a single sender that retries in place it would hold the others up for good.
        foreach (var email in others.Prepend(deferred))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email })).StatusCode);
        }

        await Wait.UntilAsync(() => others.All(relay.Delivered.Contains) && relay.Deferrals >= 2, Bound,
            "the other resets delivered while the deferred one is retried");
        Assert.DoesNotContain(deferred, relay.Delivered);
        var metrics = await ScrapeUntilAsync(client, metrics => metrics.ValueOrZero(EmailMetrics.SentTotal, ("result", "sent")) == others.Count);
        Assert.Equal(0, metrics.Value(EmailMetrics.SentTotal, ("result", "abandoned")));
        Assert.Equal(1, metrics.Value(EmailMetrics.QueueBacklog));
    }

    [Fact]
    public async Task A_permanent_refusal_is_given_up_at_once_and_counted_as_abandoned()
    {
        await using var relay = new DeferringRelay("deferred.example.test", refusedDomain: "refused.example.test");
        await using var api = await ApiServer.StartAsync(MailSettings(relay.Port));
        using var client = api.CreateHttpClient();
        var refused = $"gone-{Guid.NewGuid():N}@refused.example.test";
        await TestAccounts.RegisterAsync(client, refused);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email = refused })).StatusCode);

        // One scrape reads the backlog gauge and the counter at two moments: wait until both have settled.
        var metrics = await ScrapeUntilAsync(client, metrics => metrics.ValueOrZero(EmailMetrics.SentTotal, ("result", "abandoned")) == 1
            && metrics.Value(EmailMetrics.QueueBacklog) == 0);
        Assert.Equal(0, metrics.ValueOrZero(EmailMetrics.SentTotal, ("result", "sent")));
        // A 5xx is final: one attempt, no retry (the API retries every 100 ms here, so a retry would have come).
        Assert.Equal(1, relay.Refusals);
    }

    [Fact]
    public async Task A_recipient_still_deferred_at_the_last_attempt_is_given_up_and_counted_as_abandoned()
    {
        await using var relay = new DeferringRelay("deferred.example.test");
        await using var api = await ApiServer.StartAsync(new Dictionary<string, string?>(MailSettings(relay.Port))
        {
            ["PasswordReset:MaxAttempts"] = "3",
        });
        using var client = api.CreateHttpClient();
        var deferred = $"greylisted-{Guid.NewGuid():N}@deferred.example.test";
        await TestAccounts.RegisterAsync(client, deferred);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email = deferred })).StatusCode);

        var metrics = await ScrapeUntilAsync(client, metrics => metrics.ValueOrZero(EmailMetrics.SentTotal, ("result", "abandoned")) == 1
            && metrics.Value(EmailMetrics.QueueBacklog) == 0);
        Assert.Equal(3, metrics.Value(EmailMetrics.SentTotal, ("result", "failed")));
        Assert.Equal(3, relay.Deferrals);
    }

    /// <summary>An API sending through 127.0.0.1:<paramref name="smtpPort"/>, retrying quickly (every 100 ms to 400 ms, without end).</summary>
    private static Dictionary<string, string?> MailSettings(int smtpPort) => new(ApiFixture.Settings)
    {
        ["ConnectionStrings:smtp"] = $"Endpoint=smtp://127.0.0.1:{smtpPort};Security=none",
        ["Email:From"] = "TrainingPlatform <no-reply@example.test>",
        ["PasswordReset:LinkTemplate"] = MailCatcher.LinkTemplate,
        ["PasswordReset:RetryDelay"] = "00:00:00.100",
        ["PasswordReset:MaxRetryDelay"] = "00:00:00.400",
        ["PasswordReset:MaxAttempts"] = "1000000",
    };

    private static async Task<string> RegisterAsync(HttpClient client)
    {
        var email = $"outage-{Guid.NewGuid():N}@example.test";
        await TestAccounts.RegisterAsync(client, email);
        return email;
    }

    private static Task<PrometheusText> ScrapeUntilAsync(HttpClient client, Func<PrometheusText, bool> done) =>
        PrometheusText.ScrapeUntilAsync(client, done, Bound);

    /// <summary>
    /// A loopback port bound but not listening: connections to it are refused, as to a mail server that is down, and
    /// no other process can take it until the socket is disposed.
    /// </summary>
    private static Socket RefusingPort()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }
}
