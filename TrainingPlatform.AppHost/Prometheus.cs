using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// Prometheus with the rules of ops/prometheus, its samples kept <see cref="Monitoring.Retention"/>: the Debian binary
/// locally, the pinned image with its configuration mounted in containers mode and, deployed (no bind mounts there),
/// the image of ops/prometheus/Dockerfile built with the rendered configuration as its context.
/// </summary>
public static class Prometheus
{
    public const string Name = "prometheus";

    /// <summary>The port Prometheus listens on inside its container.</summary>
    public const int ContainerPort = 9090;

    /// <summary>
    /// The configuration it reads, rendered from ops/prometheus: for the image's build context when publishing (the
    /// committed clocks), else into .stack (with the test stacks' faster clock when set).
    /// </summary>
    public static PrometheusConfiguration Configuration(StackSettings stack) => stack.Mode == StackMode.Publish
        ? PrometheusConfiguration.Render(stack.OpsDirectory, Path.Combine(stack.DataDirectory, "prometheus-image"))
        : PrometheusConfiguration.Render(stack.OpsDirectory, Path.Combine(stack.DataDirectory, Name),
            stack.ScrapeInterval is { } interval ? new PrometheusClock(interval) : null);

    public static IResourceBuilder<IResourceWithEndpoints> AddPrometheus(this IDistributedApplicationBuilder builder, StackSettings stack,
        PrometheusConfiguration config)
    {
        if (stack.Mode == StackMode.Local)
        {
            return AddLocal(builder, stack, config);
        }
        var publishing = stack.Mode == StackMode.Publish;
        var prometheus = publishing
            ? builder.AddDockerfile(Name, config.Directory, Path.Combine(stack.OpsDirectory, "prometheus", "Dockerfile"))
            : builder.AddContainer(Name, ContainerImages.Prometheus)
                .WithBindMount(config.Directory, "/etc/prometheus", isReadOnly: true);
        // The TSDB on a named volume: a redeploy or restart keeps the SLO windows. No --web.enable-lifecycle: nothing
        // here reloads or stops Prometheus over HTTP, and deployed anyone in the environment could.
        return prometheus
            .WithVolume("trainingplatform-prometheus", "/prometheus")
            .WithArgs("--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", Monitoring.Retention, Monitoring.ExemplarStorage)
            .WithHttpEndpoint(port: publishing ? null : stack.PrometheusPort, targetPort: ContainerPort, name: "http")
            .WithHttpHealthCheck("/-/ready");
    }

    private static IResourceBuilder<ExecutableResource> AddLocal(IDistributedApplicationBuilder builder, StackSettings stack, PrometheusConfiguration config)
    {
        var storage = Path.Combine(stack.DataDirectory, "prometheus-data");
        Directory.CreateDirectory(storage);
        var resource = builder.AddLocalProgram(Name, new(LocalProgram.Prometheus.Path, []), config.Directory)
            .WithHttpEndpoint(port: stack.PrometheusPort, name: "http")
            .WithHttpHealthCheck("/-/ready")
            // The SLO page, generated from ops/slo/slos.yaml: locally there is no Grafana to show the SLO dashboards.
            .WithArgs(PrometheusConsoles.Arguments(stack.OpsDirectory));
        // A link of its own beside Prometheus's (a relative URL would take the place of the endpoint's).
        resource.WithUrl($"{resource.GetEndpoint("http")}{PrometheusConsoles.SloPage}", "SLO page (error budgets, burn rates, latency)");
        return resource.WithArgs(context =>
        {
            context.Args.Add("--config.file=" + config.ConfigFile);
            context.Args.Add("--storage.tsdb.path=" + storage);
            context.Args.Add(Monitoring.Retention);
            context.Args.Add(Monitoring.ExemplarStorage);
            context.Args.Add(LocalExecutables.ListenAddress(resource));
        });
    }
}
