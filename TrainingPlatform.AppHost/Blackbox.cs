using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// The blackbox exporter, through which Prometheus probes each service's health as a user would: the Debian binary
/// locally, the pinned image with ops/prometheus/blackbox.yml mounted in containers mode, and deployed the image of
/// ops/prometheus/blackbox.Dockerfile, which bakes the module in.
/// </summary>
public static class Blackbox
{
    public const string Name = "blackbox";

    /// <summary>The port the exporter listens on inside its container.</summary>
    public const int ContainerPort = 9115;

    public static IResourceBuilder<IResourceWithEndpoints> AddBlackboxExporter(this IDistributedApplicationBuilder builder, StackSettings stack,
        PrometheusConfiguration config)
    {
        if (stack.Mode == StackMode.Local)
        {
            var local = builder.AddLocalProgram(Name, new(LocalProgram.BlackboxExporter.Path, []), config.Directory)
                .WithHttpEndpoint(name: "http")
                .WithHttpHealthCheck("/-/healthy");
            return local.WithArgs(context =>
            {
                context.Args.Add("--config.file=" + config.BlackboxConfigFile);
                context.Args.Add(LocalExecutables.ListenAddress(local));
            });
        }
        var blackbox = stack.Mode == StackMode.Publish
            ? builder.AddDockerfile(Name, Path.Combine(stack.OpsDirectory, "prometheus"), "blackbox.Dockerfile")
            : builder.AddContainer(Name, ContainerImages.BlackboxExporter)
                .WithBindMount(config.BlackboxConfigFile, "/etc/blackbox_exporter/config.yml", isReadOnly: true);
        return blackbox
            .WithHttpEndpoint(targetPort: ContainerPort, name: "http")
            .WithHttpHealthCheck("/-/healthy");
    }
}
