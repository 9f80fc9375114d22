namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// A real SMTP server that keeps what it receives: smtp4dev (<see cref="LocalMailCatcher"/>), on loopback ports of
/// its own. Messages are read back through its web API.
/// </summary>
public sealed class MailCatcher : IAsyncDisposable
{
    private static readonly Lazy<Task<MailCatcher>> SharedCatcher = new(() => StartNewAsync());

    private readonly LocalProcess _process;
    private readonly DirectoryInfo _data;
    private readonly HttpClient _web;

    private MailCatcher(LocalProcess process, DirectoryInfo data, int smtpPort, int webPort)
    {
        _process = process;
        _data = data;
        SmtpPort = smtpPort;
        _web = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    // ~15 s on an idle machine (it migrates its in-memory database first); over 30 s seen on a loaded one.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    public int SmtpPort { get; }

    /// <summary>
    /// The value of the API's <c>smtp</c> connection string for this server: plain SMTP, said explicitly (smtp4dev
    /// offers no STARTTLS), and no login, which the API refuses to send in plain text outside Development.
    /// </summary>
    public string ConnectionString => $"Endpoint=smtp://127.0.0.1:{SmtpPort};Security=none";

    /// <summary>The connection string as a deployment writes it: STARTTLS required, which this server does not offer.</summary>
    public string StartTlsConnectionString => $"Endpoint=smtp://127.0.0.1:{SmtpPort}";

    /// <summary>The API's settings to send reset emails through this server, with links to <see cref="LinkTemplate"/>.</summary>
    public IReadOnlyDictionary<string, string?> ApiSettings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:smtp"] = ConnectionString,
        ["Email:From"] = "TrainingPlatform <no-reply@example.test>",
        ["PasswordReset:LinkTemplate"] = LinkTemplate,
    };

    public const string LinkTemplate = "https://app.example.test/reset?token={token}";

    /// <summary>One catcher for the whole test run; tests tell their messages apart by recipient.</summary>
    public static Task<MailCatcher> SharedAsync() => SharedCatcher.Value;

    /// <summary>
    /// Starts smtp4dev (on <paramref name="smtpPort"/> when given) and waits until its web API answers.
    /// </summary>
    public static async Task<MailCatcher> StartNewAsync(int? smtpPort = null)
    {
        var port = smtpPort ?? FreePort.Next();
        var webPort = FreePort.Next();
        var data = Directory.CreateTempSubdirectory("tp-smtp4dev-");
        var command = LocalMailCatcher.Command(data.FullName, webPort, port);
        var process = await LocalProcess.StartHttpAsync(command,
            webPort, LocalMailCatcher.ReadyPath, StartTimeout);
        var catcher = new MailCatcher(process, data, port, webPort);
        // The shared catcher is never disposed: it ends with the test host, which the runner may kill.
        process.EndWithThisProcess();
        return catcher;
    }

    /// <summary>Every message delivered to <paramref name="address"/>, oldest first, with both bodies.</summary>
    public async Task<IReadOnlyList<CaughtMessage>> MessagesToAsync(string address) => await ReadAsync(await SummariesToAsync(address));

    /// <summary>Waits (up to <paramref name="timeout"/>) until <paramref name="count"/> messages reached <paramref name="address"/>.</summary>
    public async Task<IReadOnlyList<CaughtMessage>> WaitForMessagesAsync(string address, int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var summaries = await SummariesToAsync(address);
            if (summaries.Count >= count || clock.Elapsed > timeout)
            {
                Assert.True(summaries.Count >= count, $"{summaries.Count} of {count} messages to {address} arrived within {timeout}");
                return await ReadAsync(summaries);
            }
            await Task.Delay(100);
        }
    }

    private async Task<List<MessageSummary>> SummariesToAsync(string address)
    {
        var page = await _web.GetFromJsonAsync<MessagePage>("/api/messages?pageSize=100000");
        return page!.Results.Where(m => m.To.Contains(address, StringComparer.OrdinalIgnoreCase)).OrderBy(m => m.ReceivedDate).ToList();
    }

    private async Task<IReadOnlyList<CaughtMessage>> ReadAsync(List<MessageSummary> summaries)
    {
        var messages = new List<CaughtMessage>();
        foreach (var summary in summaries)
        {
            var details = await _web.GetFromJsonAsync<MessageDetails>($"/api/messages/{summary.Id}");
            messages.Add(new CaughtMessage(summary.Subject, summary.From,
                details!.Headers.GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => g.First().Value, StringComparer.OrdinalIgnoreCase),
                await _web.GetStringAsync($"/api/messages/{summary.Id}/plaintext"),
                await _web.GetStringAsync($"/api/messages/{summary.Id}/html")));
        }
        return messages;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _web.Dispose();
        try
        {
            _data.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private sealed record MessagePage(List<MessageSummary> Results);

    private sealed record MessageSummary(string Id, string From, List<string> To, string Subject, DateTime ReceivedDate);

    private sealed record MessageDetails(List<Header> Headers);

    private sealed record Header(string Name, string Value);
}

/// <summary>A message as the catcher received it: the plain-text and HTML bodies decoded.</summary>
public sealed record CaughtMessage(string Subject, string From, IReadOnlyDictionary<string, string> Headers, string Text, string Html);
