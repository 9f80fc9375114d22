using System.Net.Sockets;
using TrainingPlatform.Tests.ServiceDefaults;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// Reset emails when the mail server misbehaves: the request answers 202 at once whatever the server does, failed
/// sends are retried and counted, and queued resets are still delivered when the API shuts down.
/// </summary>
public class PasswordResetDeliveryTests
{
    private const string SentTotal = "emails_sent_total";
    private const string Backlog = "email_queue_backlog";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task With_the_mail_server_down_the_request_is_accepted_and_the_email_arrives_once_it_is_back()
    {
        var smtpPort = FreePort.Next();
        await using var api = await ApiServer.StartAsync(MailSettings(smtpPort));
        using var client = api.CreateHttpClient();
        var email = await RegisterAsync(client);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email })).StatusCode);

        var failing = await ScrapeUntilAsync(client, metrics => metrics.ValueOrZero(SentTotal, ("result", "failed")) >= 3);
        Assert.Equal(0, failing.ValueOrZero(SentTotal, ("result", "sent")));
        Assert.Equal(0, failing.ValueOrZero(SentTotal, ("result", "abandoned")));
        Assert.Equal(1, failing.Value(Backlog));

        await using var mail = await MailCatcher.StartNewAsync(smtpPort);
        var delivered = Assert.Single(await mail.WaitForMessagesAsync(email, 1, Bound));
        var token = ResetEmails.Token(delivered);
        var after = await ScrapeUntilAsync(client, metrics => metrics.ValueOrZero(Backlog) == 0);
        Assert.Equal(1, after.Value(SentTotal, ("result", "sent")));
        Assert.True(after.Value(SentTotal, ("result", "failed")) >= 3);
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
        Assert.Equal(1, metrics.Value(Backlog));
        Assert.Equal(0, metrics.ValueOrZero(SentTotal, ("result", "sent")) + metrics.ValueOrZero(SentTotal, ("result", "failed")));
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
            Assert.Single(await mail.MessagesToAsync(email));
        }
        Assert.DoesNotContain("abandoned", api.Output);
    }

    [Fact]
    public async Task At_shutdown_with_the_mail_server_down_the_drain_ends_in_time_and_says_what_it_abandoned()
    {
        await using var postgres = await PostgresServer.StartNewAsync();
        await using var api = await ApiProcess.StartAsync(await postgres.CreateDatabaseAsync(),
            new Dictionary<string, string?>(MailSettings(FreePort.Next()))
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
        await ScrapeUntilAsync(client, metrics => metrics.ValueOrZero(SentTotal, ("result", "failed")) >= 1);

        Assert.Equal(0, await api.TerminateAsync(Bound));
        var drainEnd = Assert.Single(api.Records("TrainingPlatform.Api.Accounts.PasswordResetDelivery"),
            record => record.GetProperty("Message").GetString()!.Contains("queued password reset requests abandoned"));
        Assert.Equal("Warning", drainEnd.GetProperty("LogLevel").GetString());
        Assert.Equal(1, drainEnd.GetProperty("State").GetProperty("Left").GetInt32());
    }

    /// <summary>An API sending through 127.0.0.1:<paramref name="smtpPort"/>, retrying quickly (every 100 ms to 400 ms, without end).</summary>
    private static Dictionary<string, string?> MailSettings(int smtpPort) => new(ApiFixture.Settings)
    {
        ["ConnectionStrings:smtp"] = $"Endpoint=smtp://127.0.0.1:{smtpPort};Username=training;Password=outage",
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
}
