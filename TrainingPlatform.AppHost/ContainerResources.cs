using TrainingPlatform.LocalStack;

namespace TrainingPlatform.AppHost;

/// <summary>
/// Containers mode: the infrastructure as pinned images. When publishing (azd), bind mounts do not deploy, so
/// Prometheus, the blackbox exporter and Grafana are built from Dockerfiles under ops/ that bake their configuration in.
/// </summary>
public static class ContainerResources
{
    /// <summary>The ports Prometheus and the blackbox exporter listen on inside their containers.</summary>
    public const int PrometheusPort = 9090;
    public const int BlackboxPort = 9115;

    /// <summary>The PostgreSQL image's tag, which the backups image is also built on (its pg_dump must match the server).</summary>
    public const string PostgresTag = "17.6";

    /// <summary>A shared store (<see cref="CacheServers"/>): Valkey (BSD-licensed, Redis-protocol), pinned, bounded as its role says.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddContainerCache(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddRedis(name).WithImage("valkey/valkey", "8.1.4").WithImageRegistry("docker.io")
            // Aspire starts the server through `sh -c "redis-server …"`: the bounds join that command line.
            .WithArgs(context => context.Args[^1] = $"{context.Args[^1]} {string.Join(' ', CacheServers.Arguments(name))}");

    /// <summary>HAProxy in front of the replicas, reaching them on the host; its configuration rendered once their ports are known.</summary>
    public static IResourceBuilder<ContainerResource> AddContainerIngress(this IDistributedApplicationBuilder builder, StackSettings stack,
        IReadOnlyList<IResourceBuilder<ProjectResource>> replicas)
    {
        var directory = Path.Combine(stack.DataDirectory, "ingress");
        Directory.CreateDirectory(directory);
        var ingress = builder.AddContainer("ingress", "haproxy", "3.2.6")
            .WithBindMount(directory, "/usr/local/etc/haproxy", isReadOnly: true)
            .WithEnvironment("INGRESS_BIND", "*:8080")
            .WithHttpEndpoint(port: stack.ApiPort, targetPort: 8080, name: "http")
            .WithHttpHealthCheck("/alive");
        ingress.OnBeforeResourceStarted((_, _, _) =>
        {
            IngressConfiguration.Render(stack.OpsDirectory, directory,
                replicas.Select(r => new IngressBackend(r.Resource.Name, $"host.docker.internal:{r.GetEndpoint("http").Port}")));
            return Task.CompletedTask;
        });
        return ingress;
    }

    /// <summary>
    /// Prometheus from its image with <paramref name="config"/> mounted, or, to deploy (no bind mounts there), built from
    /// ops/prometheus/Dockerfile with <paramref name="config"/> as the build context.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddContainerPrometheus(
        this IDistributedApplicationBuilder builder, StackSettings stack, PrometheusConfiguration config, bool publishing)
    {
        var prometheus = publishing
            ? builder.AddDockerfile("prometheus", config.Directory, Path.Combine(stack.OpsDirectory, "prometheus", "Dockerfile"))
            : builder.AddContainer("prometheus", "prom/prometheus", "v3.5.0")
                .WithBindMount(config.Directory, "/etc/prometheus", isReadOnly: true);
        // The TSDB on a named volume: a redeploy or restart keeps the SLO windows. No --web.enable-lifecycle: nothing
        // here reloads or stops Prometheus over HTTP, and deployed anyone in the environment could.
        return prometheus
            .WithVolume("trainingplatform-prometheus", "/prometheus")
            .WithArgs("--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", Monitoring.Retention, Monitoring.ExemplarStorage)
            .WithHttpEndpoint(port: publishing ? null : stack.PrometheusPort, targetPort: PrometheusPort, name: "http")
            .WithHttpHealthCheck("/-/ready");
    }

    public static IResourceBuilder<ContainerResource> AddContainerBlackboxExporter(
        this IDistributedApplicationBuilder builder, StackSettings stack, PrometheusConfiguration? config)
    {
        var blackbox = config is null
            ? builder.AddDockerfile("blackbox", Path.Combine(stack.OpsDirectory, "prometheus"), "blackbox.Dockerfile")
            : builder.AddContainer("blackbox", "prom/blackbox-exporter", "v0.27.0")
                .WithBindMount(config.BlackboxConfigFile, "/etc/blackbox_exporter/config.yml", isReadOnly: true);
        return blackbox
            .WithHttpEndpoint(targetPort: BlackboxPort, name: "http")
            .WithHttpHealthCheck("/-/healthy");
    }

    public static IResourceBuilder<ContainerResource> AddGrafana(
        this IDistributedApplicationBuilder builder, StackSettings stack, IResourceBuilder<ContainerResource> prometheus,
        IResourceBuilder<IResourceWithEndpoints> alertmanager)
    {
        var grafanaOps = Path.Combine(stack.OpsDirectory, "grafana");
        var grafana = builder.ExecutionContext.IsPublishMode
            ? builder.AddDockerfile("grafana", grafanaOps)
            : builder.AddContainer("grafana", "grafana/grafana", "12.2.0")
                .WithBindMount(Path.Combine(grafanaOps, "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
                .WithBindMount(Path.Combine(grafanaOps, "dashboards"), "/var/lib/grafana/dashboards", isReadOnly: true);
        // Exemplars link to a trace's page in the trace UI: the Aspire dashboard this AppHost serves, or when
        // deployed the one of the environment (a parameter, its URL known only there).
        if (builder.ExecutionContext.IsPublishMode)
        {
            grafana.WithEnvironment("TRACE_UI_URL", builder.AddParameter("trace-ui-url"));
        }
        else
        {
            grafana.WithEnvironment("TRACE_UI_URL", builder.Configuration["ASPNETCORE_URLS"]?.Split(';')[0] ?? "");
        }
        // Never the image's admin/admin: generated (and kept) unless given.
        var adminPassword = builder.AddParameter("grafana-admin-password", new GenerateParameterDefault { MinLength = 24 }, secret: true, persist: true);
        return grafana
            .WithEnvironment("GF_SECURITY_ADMIN_PASSWORD", adminPassword)
            .WithEnvironment("PROMETHEUS_URL", prometheus.GetEndpoint("http"))
            .WithEnvironment("ALERTMANAGER_URL", alertmanager.GetEndpoint("http"))
            // Deployed, Grafana (behind its admin password) is the operators' way in; Prometheus and Alertmanager,
            // which have no login of their own, stay inside the environment and are reached through it.
            .WithHttpEndpoint(port: builder.ExecutionContext.IsPublishMode ? null : stack.GrafanaPort, targetPort: 3000, name: "http")
            .WithExternalHttpEndpoints()
            .WithHttpHealthCheck("/api/health");
    }
}
