using Microsoft.Extensions.Configuration;

namespace TrainingPlatform.AppHost;

/// <summary>
/// How the stack runs (<paramref name="Mode"/>, chosen for <paramref name="ModeReason"/>), where it keeps its state and
/// which host ports it promises the user (README, "Addresses").
/// </summary>
public sealed record StackSettings(StackMode Mode, string ModeReason, string RepositoryRoot, string DataDirectory, int ApiPort, int PrometheusPort, int GrafanaPort,
    int MailPort, int ApiReplicas, int AlertmanagerPort, string? ScrapeInterval = null)
{
    /// <summary>The PostgreSQL server's <c>max_connections</c>, set explicitly so the connection budget is computed from it.</summary>
    public const int PostgresMaxConnections = 100;

    /// <summary>Connections kept free for a backup, a migration, the AppHost's readiness check and an operator's psql.</summary>
    public const int ReservedConnections = 10;

    /// <summary>Each replica's pool: all replicas together plus the reserve stay within the server's limit.</summary>
    public int ApiPoolSize => (PostgresMaxConnections - ReservedConnections) / ApiReplicas;

    public string OpsDirectory => Path.Combine(RepositoryRoot, "ops");

    public static StackSettings From(IDistributedApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var root = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var mode = StackModeSelector.Decide(
            config[StackModeSelector.SettingKey] ?? ModeFromCommandLine(config),
            builder.ExecutionContext.IsPublishMode,
            StackModeSelector.FindAnsweringRuntime);
        return new StackSettings(
            mode.Mode,
            mode.Reason,
            root,
            Path.GetFullPath(config["Stack:DataDirectory"] ?? Path.Combine(root, ".stack")),
            config.GetValue("Stack:Ports:Api", 5080),
            config.GetValue("Stack:Ports:Prometheus", 9090),
            config.GetValue("Stack:Ports:Grafana", 3000),
            config.GetValue("Stack:Ports:Mail", 5025),
            ReplicasFrom(config),
            config.GetValue("Stack:Ports:Alertmanager", 9093),
            // Test stacks scrape more often than the committed 15 s, so a check waits seconds, not scrape intervals.
            config["Stack:ScrapeInterval"]);
    }

    // `dotnet run -- --stack local` reads better than the configuration key it stands for.
    private static string? ModeFromCommandLine(IConfiguration config) => config["stack"];

    // `./run.sh --replicas 3` is Stack:ApiReplicas=3.
    private static int ReplicasFrom(IConfiguration config)
    {
        var replicas = config.GetValue<int?>("Stack:ApiReplicas") ?? config.GetValue<int?>("replicas") ?? 1;
        return replicas is >= 1 and <= (PostgresMaxConnections - ReservedConnections) / 5
            ? replicas
            : throw new ArgumentException($"Stack:ApiReplicas must be between 1 and {(PostgresMaxConnections - ReservedConnections) / 5} (each replica needs a pool of at least 5 connections), not {replicas}.");
    }
}
