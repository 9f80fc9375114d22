using System.Diagnostics;
using System.Net.Http.Json;

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// A real SMTP server that keeps what it receives: smtp4dev, the .NET tool ops/scripts/prerequisites.sh installs
/// into .tools/smtp4dev. Messages are read back through its web API. In memory only, with IMAP and POP3 off, on
/// loopback ports of its own, so parallel runs never collide.
/// </summary>
public sealed class MailCatcher : IAsyncDisposable
{
    private static readonly Lazy<Task<MailCatcher>> SharedCatcher = new(() => StartNewAsync());

    private readonly Process _process;
    private readonly DirectoryInfo _data;
    private readonly HttpClient _web;

    private MailCatcher(Process process, DirectoryInfo data, int smtpPort, Uri webAddress)
    {
        _process = process;
        _data = data;
        SmtpPort = smtpPort;
        _web = new HttpClient { BaseAddress = webAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    public static string Program { get; } = System.IO.Path.Combine(RepositoryRoot.Path, ".tools", "smtp4dev", "smtp4dev");

    public int SmtpPort { get; }

    /// <summary>The value of the API's <c>smtp</c> connection string for this server.</summary>
    public string ConnectionString => $"Endpoint=smtp://127.0.0.1:{SmtpPort}";

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

    /// <summary>Starts smtp4dev (on <paramref name="smtpPort"/> when given) and waits until its web API answers.</summary>
    public static async Task<MailCatcher> StartNewAsync(int? smtpPort = null)
    {
        if (!File.Exists(Program))
        {
            throw new InvalidOperationException($"{Program} is missing: run ops/scripts/prerequisites.sh test (it installs the smtp4dev .NET tool).");
        }
        var port = smtpPort ?? Loopback.FreePort();
        var web = new Uri($"http://127.0.0.1:{Loopback.FreePort()}");
        var data = Directory.CreateTempSubdirectory("tp-smtp4dev-");
        var info = new ProcessStartInfo(Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = data.FullName,
        };
        foreach (var argument in new[]
                 {
                     "--urls=" + web, $"--smtpport={port}", "--bindaddress=127.0.0.1", "--db=", "--imapport=", "--pop3port=",
                     "--nousersettings", "--baseappdatapath=" + data.FullName, "--messagestokeep=100000", "--sessionstokeep=100000",
                 })
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info)!;
        // Drain both pipes so a chatty server never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var catcher = new MailCatcher(process, data, port, web);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => catcher.Kill();

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
        {
            try
            {
                using var response = await catcher._web.GetAsync("/api/messages");
                if (response.IsSuccessStatusCode)
                {
                    return catcher;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        await catcher.DisposeAsync();
        throw new InvalidOperationException($"smtp4dev did not answer on {web} within 60 s (exited: {process.HasExited}).");
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
        Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
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

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private sealed record MessagePage(List<MessageSummary> Results);

    private sealed record MessageSummary(string Id, string From, List<string> To, string Subject, DateTime ReceivedDate);

    private sealed record MessageDetails(List<Header> Headers);

    private sealed record Header(string Name, string Value);
}

/// <summary>A message as the catcher received it: the plain-text and HTML bodies decoded.</summary>
public sealed record CaughtMessage(string Subject, string From, IReadOnlyDictionary<string, string> Headers, string Text, string Html);
