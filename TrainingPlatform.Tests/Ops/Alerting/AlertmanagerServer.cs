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

    public static string Entrypoint => Path.Combine(OpsFiles.RepositoryRoot, "ops", "alertmanager", "entrypoint.sh");

    public Uri BaseAddress => _process.BaseAddress;
    public string Url => BaseAddress.ToString().TrimEnd('/');
    public string Log => _process.Log;

    public static async Task<AlertmanagerServer> StartAsync(WebhookInbox inbox, TimeSpan repeat)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("tp-alertmanager-").FullName;
        try
        {
            // The committed routes with waits of seconds; ops/alertmanager/entrypoint.sh adds the webhooks, as in every mode.
            var config = File.ReadAllText(OpsFiles.AlertmanagerConfig);
            config = GroupWait().Replace(config, "${key}: 1s");
            config = RepeatInterval().Replace(config, $"repeat_interval: {(int)repeat.TotalSeconds}s");
            var file = Path.Combine(directory, "alertmanager.yml");
            File.WriteAllText(file, config);

            var port = FreePort.Next();
            // env execs the entrypoint, which execs Alertmanager: stopping the process stops Alertmanager.
            var process = await BackgroundProcess.StartAsync(new LocalCommand("env",
                [
                    "ALERTMANAGER_BIN=" + LocalProgram.Alertmanager.Path,
                    "ALERTMANAGER_CONFIG=" + file,
                    "ALERTMANAGER_RENDERED=" + Path.Combine(directory, "rendered.yml"),
                    "ALERTMANAGER_PAGE_URL=" + inbox.UrlFor(AlertRouting.Page),
                    "ALERTMANAGER_TICKET_URL=" + inbox.UrlFor(AlertRouting.Ticket),
                    "ALERTMANAGER_WATCHDOG_URL=" + inbox.UrlFor(AlertRouting.Watchdog),
                    Entrypoint,
                    "--storage.path=" + Path.Combine(directory, "data"),
                    $"--web.listen-address=127.0.0.1:{port}",
                    // No gossip: parallel tests would otherwise all bind the default cluster port.
                    "--cluster.listen-address=",
                    "--log.level=warn",
                ]),
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

    [GeneratedRegex(@"(?<key>group_wait|group_interval): \S+")]
    private static partial Regex GroupWait();

    [GeneratedRegex(@"repeat_interval: \S+")]
    private static partial Regex RepeatInterval();
}
