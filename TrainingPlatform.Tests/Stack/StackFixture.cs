extern alias AppHost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Logging;

namespace TrainingPlatform.Tests.Stack;

/// <summary>
/// The real AppHost in local mode, started once for the stack tests (as <see cref="ScaleOut.ScaleOutFixture"/>):
/// Postgres, Redis, HAProxy, Prometheus and the mail catcher from the machine's binaries, the API as
/// <see cref="Replicas"/> projects behind the ingress, in a throwaway data directory. For what only the assembled stack
/// shows: resources wired to each other (ingress, scraping, mail, dashboard commands), as <c>./run.sh</c> runs them.
/// The heaviest host (a minute to start): a behaviour of the API alone belongs on <see cref="ApiServer"/>.
/// </summary>
public abstract class StackFixture : IAsyncLifetime
{
    public abstract int Replicas { get; }


    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("tp-stack-");

    public DistributedApplication App { get; private set; } = null!;

    public string DataDirectory => _data.FullName;

    /// <summary>When the stack was asked to start.</summary>
    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>How often the test stack's Prometheus scrapes and evaluates (the committed configuration says 15 s).</summary>
    public const string ScrapeInterval = "2s";

    /// <summary>Backups run every minute on this stack, so a test sees the schedule work within two minutes.</summary>
    public const string BackupSchedule = "* * * * *";

    public IEnumerable<string> ReplicaNames => ReplicaNamesOf(Replicas);

    private static IEnumerable<string> ReplicaNamesOf(int replicas) => Enumerable.Range(1, replicas).Select(i => i == 1 ? "api" : $"api-{i}");

    /// <summary>A client of the API's public address (through the ingress), as a user reaches it.</summary>
    public HttpClient PublicClient(System.Net.IPAddress? from = null) => new(from is null
        ? new SocketsHttpHandler()
        : new SocketsHttpHandler { ConnectCallback = (context, cancellation) => ConnectFromAsync(from, context, cancellation) })
    {
        BaseAddress = App.GetEndpoint("ingress", "http"),
        Timeout = TimeSpan.FromSeconds(30),
    };

    // Every 127.x.y.z address is this machine: a client bound to one of them is a distinct client to the ingress.
    private static async ValueTask<Stream> ConnectFromAsync(System.Net.IPAddress from, SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            socket.Bind(new System.Net.IPEndPoint(from, 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellation);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static CancellationToken Timeout(int seconds = 180) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    public async Task InitializeAsync()
    {
        StartedAt = DateTimeOffset.UtcNow;
        App = await StartAsync(_data.FullName, Replicas);
    }

    /// <summary>
    /// The real AppHost in local mode on <paramref name="dataDirectory"/> (its <c>.stack</c>), on free ports, once the
    /// replicas, the ingress and Prometheus are healthy. A later start on the same directory finds the stack's data.
    /// </summary>
    public static async Task<DistributedApplication> StartAsync(string dataDirectory, int replicas = 1)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHost::Projects.TrainingPlatform_AppHost>(
            [
                "--Stack:Mode=local",
                $"--Stack:DataDirectory={dataDirectory}",
                $"--Stack:Ports:Api={FreePort.Next()}",
                $"--Stack:ApiReplicas={replicas}",
                $"--Stack:Ports:Prometheus={FreePort.Next()}",
                $"--Stack:Ports:Mail={FreePort.Next()}",
                $"--Stack:Ports:Alertmanager={FreePort.Next()}",
                $"--Parameters:backup-schedule={BackupSchedule}",
                $"--Stack:ScrapeInterval={ScrapeInterval}",
            ],
            Timeout());
        // The start-up warm-up costs each replica 2-3 s of both cores here and no stack test measures a replica's
        // first seconds (WarmUpTests prove the warm-up on the API itself), as in ApiFixture.Settings; the same for
        // counting calls from the start (ApiProcess.CallCountingDelay).
        foreach (var replica in builder.Resources.OfType<ProjectResource>().Where(r => ReplicaNamesOf(replicas).Contains(r.Name)))
        {
            builder.CreateResourceBuilder(replica).WithEnvironment("WarmUp__Calls", "0")
                .WithEnvironment(ApiProcess.CallCountingDelay.Key, ApiProcess.CallCountingDelay.Value);
        }
        // The AppHost forwards every line its resources print to its own log, which the test run prints: about 59,000
        // access lines of the replicas (15 MB) per run. Warnings and errors still show; the tests that read a
        // resource's output read it from the resource itself.
        builder.Services.AddLogging(logging => logging.AddFilter($"{builder.Environment.ApplicationName}.Resources", LogLevel.Warning));
        var app = await builder.BuildAsync(Timeout());
        await app.StartAsync(Timeout());
        foreach (var replica in ReplicaNamesOf(replicas))
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(replica, Timeout());
        }
        await app.ResourceNotifications.WaitForResourceHealthyAsync("ingress", Timeout());
        await app.ResourceNotifications.WaitForResourceHealthyAsync("prometheus", Timeout());
        return app;
    }

    /// <summary>The dumps "Back up now" wrote on this stack (every other dump is the schedule's).</summary>
    public IReadOnlyCollection<string> DumpsBackedUpNow => _dumpsBackedUpNow;

    private readonly System.Collections.Concurrent.ConcurrentBag<string> _dumpsBackedUpNow = [];

    /// <summary>
    /// "Back up now" on the dashboard's <c>backups</c> resource. Runs never overlap: while a scheduled run (every minute
    /// here) is going it answers "already running", and it is tried again, as a person would.
    /// </summary>
    public async Task<ExecuteCommandResult> BackUpNowAsync()
    {
        await App.ResourceNotifications.WaitForResourceHealthyAsync("backups", Timeout(60));
        var commands = App.Services.GetRequiredService<ResourceCommandService>();
        ExecuteCommandResult result = null!;
        await Wait.UntilAsync(async () =>
        {
            result = await commands.ExecuteCommandAsync("backups", "backup-now", Timeout(120));
            return result.Success || result.Message?.Contains("already running", StringComparison.Ordinal) != true;
        }, TimeSpan.FromSeconds(90), "Back up now ran outside a scheduled run");
        if (result is { Success: true, Data: { } data })
        {
            using var report = JsonDocument.Parse(data.Value);
            _dumpsBackedUpNow.Add(report.RootElement.GetProperty("location").GetString()!);
        }
        return result;
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        try
        {
            _data.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Postgres may still be flushing; a leftover temp directory is harmless.
        }
    }

}
