namespace TrainingPlatform.AppHost;

/// <summary>
/// Containers mode: the infrastructure as pinned images. When publishing (azd), bind mounts do not deploy, so
/// Prometheus, the blackbox exporter and Grafana are built from Dockerfiles under ops/ that bake their configuration in.
/// </summary>
public static class ContainerResources
{
    public static IResourceBuilder<IResourceWithConnectionString> AddContainerPostgres(
        this IDistributedApplicationBuilder builder, string databaseName) =>
        builder.AddPostgres("postgres", password: builder.AddParameter("postgres-password", secret: true))
            .WithImageTag("17.6")
            .WithDataVolume("trainingplatform-postgres")
            .AddDatabase(databaseName);

    public static IResourceBuilder<ContainerResource> AddContainerPrometheus(
        this IDistributedApplicationBuilder builder, StackSettings stack, PrometheusConfiguration? config)
    {
        var prometheus = config is null
            ? builder.AddDockerfile("prometheus", Path.Combine(stack.OpsDirectory, "prometheus"))
            : builder.AddContainer("prometheus", "prom/prometheus", "v3.5.0")
                .WithBindMount(config.Directory, "/etc/prometheus", isReadOnly: true);
        return prometheus
            .WithArgs("--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--web.enable-lifecycle", Monitoring.ExemplarStorage)
            .WithHttpEndpoint(port: config is null ? null : stack.PrometheusPort, targetPort: 9090, name: "http")
            .WithHttpHealthCheck("/-/ready");
    }

    public static IResourceBuilder<ContainerResource> AddContainerBlackboxExporter(
        this IDistributedApplicationBuilder builder, StackSettings stack, PrometheusConfiguration? config)
    {
        var blackbox = config is null
            ? builder.AddDockerfile("blackbox", Path.Combine(stack.OpsDirectory, "prometheus"), "blackbox.Dockerfile")
            : builder.AddContainer("blackbox", "prom/blackbox-exporter", "v0.27.0")
                .WithBindMount(Path.Combine(config.Directory, "blackbox.yml"), "/etc/blackbox_exporter/config.yml", isReadOnly: true);
        return blackbox
            .WithHttpEndpoint(targetPort: 9115, name: "http")
            .WithHttpHealthCheck("/-/healthy");
    }

    public static IResourceBuilder<ContainerResource> AddGrafana(
        this IDistributedApplicationBuilder builder, StackSettings stack, IResourceBuilder<ContainerResource> prometheus)
    {
        var grafanaOps = Path.Combine(stack.OpsDirectory, "grafana");
        var grafana = builder.ExecutionContext.IsPublishMode
            ? builder.AddDockerfile("grafana", grafanaOps)
            : builder.AddContainer("grafana", "grafana/grafana", "12.2.0")
                .WithBindMount(Path.Combine(grafanaOps, "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
                .WithBindMount(Path.Combine(grafanaOps, "dashboards"), "/var/lib/grafana/dashboards", isReadOnly: true);
        return grafana
            .WithEnvironment("PROMETHEUS_URL", prometheus.GetEndpoint("http"))
            .WithHttpEndpoint(port: builder.ExecutionContext.IsPublishMode ? null : stack.GrafanaPort, targetPort: 3000, name: "http")
            .WithHttpHealthCheck("/api/health");
    }
}
