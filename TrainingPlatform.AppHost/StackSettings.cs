using Microsoft.Extensions.Configuration;

namespace TrainingPlatform.AppHost;

/// <summary>Where the stack keeps its state and which host ports it promises the user (README, "Addresses").</summary>
public sealed record StackSettings(StackModeChoice Mode, string RepositoryRoot, string DataDirectory, int ApiPort, int PrometheusPort, int GrafanaPort, int MailPort)
{
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
            mode,
            root,
            Path.GetFullPath(config["Stack:DataDirectory"] ?? Path.Combine(root, ".stack")),
            config.GetValue("Stack:Ports:Api", 5080),
            config.GetValue("Stack:Ports:Prometheus", 9090),
            config.GetValue("Stack:Ports:Grafana", 3000),
            config.GetValue("Stack:Ports:Mail", 5025));
    }

    // `dotnet run -- --stack local` reads better than the configuration key it stands for.
    private static string? ModeFromCommandLine(IConfiguration config) => config["stack"];
}
