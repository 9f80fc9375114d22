using System.Text.Json;
using System.Text.RegularExpressions;
using TrainingPlatform.Tests.Ops.Slo;

namespace TrainingPlatform.Tests.Ops.Alerting;

/// <summary>
/// A real Alertmanager from the machine's binary, on a copy of ops/alertmanager/alertmanager.yml whose webhook URLs
/// point at <see cref="WebhookInbox"/> and whose waits are shortened to seconds. Routing, grouping and inhibition
/// are the committed ones.
/// </summary>
internal sealed partial class AlertmanagerServer : IAsyncDisposable
{
    private readonly BackgroundProcess _process;
    private readonly string _directory;
    private readonly HttpClient _client;

    private AlertmanagerServer(BackgroundProcess process, string directory)
    {
        _process = process;
        _directory = directory;
        _client = new HttpClient { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri BaseAddress => _process.BaseAddress;
    public string Url => BaseAddress.ToString().TrimEnd('/');
    public string Log => _process.Log;

    public static async Task<AlertmanagerServer> StartAsync(WebhookInbox inbox, TimeSpan repeat)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("tp-alertmanager-").FullName;
        try
        {
            var config = File.ReadAllText(OpsFiles.AlertmanagerConfig);
            var receivers = ReceiverUrl().Matches(config).Select(match => match.Groups["receiver"].Value).ToArray();
            if (!receivers.Order().SequenceEqual([AlertRouting.Page, AlertRouting.Ticket, AlertRouting.Watchdog]))
            {
                throw new InvalidOperationException($"alertmanager.yml's webhook receivers are {string.Join(", ", receivers)}; the test redirects page, ticket and watchdog.");
            }
            config = ReceiverUrl().Replace(config, match => match.Groups["indent"].Value + "url: " + inbox.UrlFor(match.Groups["receiver"].Value));
            config = GroupWait().Replace(config, "${key}: 1s");
            config = RepeatInterval().Replace(config, $"repeat_interval: {(int)repeat.TotalSeconds}s");
            var file = Path.Combine(directory, "alertmanager.yml");
            File.WriteAllText(file, config);

            var port = FreePort.Next();
            var process = await BackgroundProcess.StartAsync(LocalProgram.Alertmanager,
                [
                    "--config.file=" + file,
                    "--storage.path=" + Path.Combine(directory, "data"),
                    $"--web.listen-address=127.0.0.1:{port}",
                    // No gossip: parallel tests would otherwise all bind the default cluster port.
                    "--cluster.listen-address=",
                    "--log.level=warn",
                ],
                port, "/-/ready");
            return new AlertmanagerServer(process, directory);
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>The alerts Alertmanager holds with the given name, as its v2 API reports them (status.state, silencedBy, inhibitedBy).</summary>
    public async Task<JsonElement[]> AlertsAsync(string alertName)
    {
        var filter = Uri.EscapeDataString($"alertname=\"{alertName}\"");
        var body = await _client.GetStringAsync($"/api/v2/alerts?filter={filter}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.EnumerateArray().Select(alert => alert.Clone()).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _process.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    /// <summary>A receiver's webhook url, with the receiver's name two lines above it.</summary>
    [GeneratedRegex(@"(?<=- name: (?<receiver>[a-z]+)\s*\n\s*webhook_configs:\s*\n)(?<indent>\s*- )url: \S+")]
    private static partial Regex ReceiverUrl();

    [GeneratedRegex(@"(?<key>group_wait|group_interval): \S+")]
    private static partial Regex GroupWait();

    [GeneratedRegex(@"repeat_interval: \S+")]
    private static partial Regex RepeatInterval();
}
