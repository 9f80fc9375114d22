using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// The monitoring pieces (Alerting.cs, Prometheus.cs, Blackbox.cs, Grafana.cs) and how they find each other:
/// Prometheus watching the services and sending its alerts to Alertmanager, Grafana reading both.
/// </summary>
public static class Monitoring
{
    /// <summary>Prometheus keeps the trace-id exemplars the services expose (Grafana links them to traces).</summary>
    public const string ExemplarStorage = "--enable-feature=exemplar-storage";

    /// <summary>
    /// How long Prometheus keeps its samples, in every mode: the 30-day SLO window (and the budget the release gate
    /// reads) needs 30 days, plus margin to look back at the start of a window. Prometheus's default is 15 days.
    /// </summary>
    public const string Retention = "--storage.tsdb.retention.time=35d";

    public static void AddMonitoring(this IDistributedApplicationBuilder builder, StackSettings stack, IReadOnlyList<IResourceBuilder<ProjectResource>> replicas,
        EndpointReference publicEndpoint, IResourceBuilder<IResourceWithEndpoints> backups)
    {
        var alertmanager = builder.AddAlertmanager(stack);
        var config = Prometheus.Configuration(stack);
        var prometheus = builder.AddPrometheus(stack, config);
        var blackbox = builder.AddBlackboxExporter(stack, config);
        builder.AddGrafana(stack, prometheus, alertmanager);

        // What Prometheus scrapes, probes and alerts to, as its own mode reaches them.
        switch (stack.Mode)
        {
            case StackMode.Publish:
                // Baked into the image: the deployment's targets, reached by name.
                WriteTargets(config, [new ScrapeTarget(ApiReplicas.Name, $"{ApiReplicas.Name}:{ApiReplicas.DeployedMetricsPort}")],
                    healthUrl: $"http://{ApiReplicas.Name}/healthz",
                    self: $"localhost:{Prometheus.ContainerPort}",
                    blackbox: $"{Blackbox.Name}:{Blackbox.ContainerPort}",
                    alertmanager: $"{Alerting.Name}:{Alerting.ContainerPort}",
                    Backups.MetricsTarget(backups),
                    Postgres.ContainerExporterTarget);
                break;
            case StackMode.Local:
                prometheus.OnBeforeResourceStarted((_, _, _) => WriteTargets(config, ReplicaTargets(replicas, "127.0.0.1"),
                    healthUrl: $"http://127.0.0.1:{publicEndpoint.Port}/healthz",
                    self: $"127.0.0.1:{prometheus.GetEndpoint("http").Port}",
                    blackbox: $"127.0.0.1:{blackbox.GetEndpoint("http").Port}",
                    alertmanager: $"127.0.0.1:{alertmanager.GetEndpoint("http").Port}",
                    Backups.MetricsTarget(backups, "127.0.0.1"),
                    Postgres.ExporterTarget(builder, "127.0.0.1")));
                break;
            case StackMode.Containers:
                // Containers reach services on the host through host.docker.internal, and each other by resource name.
                prometheus.OnBeforeResourceStarted((_, _, _) => WriteTargets(config, ReplicaTargets(replicas, "host.docker.internal"),
                    healthUrl: $"http://host.docker.internal:{publicEndpoint.Port}/healthz",
                    self: $"localhost:{Prometheus.ContainerPort}",
                    blackbox: $"{Blackbox.Name}:{blackbox.GetEndpoint("http").TargetPort}",
                    alertmanager: $"{Alerting.Name}:{Alerting.ContainerPort}",
                    Backups.MetricsTarget(backups),
                    Postgres.ContainerExporterTarget));
                break;
        }
    }

    // Every replica is scraped directly, under its own instance; read when Prometheus is about to start, when every
    // endpoint has its real port.
    private static IEnumerable<ScrapeTarget> ReplicaTargets(IReadOnlyList<IResourceBuilder<ProjectResource>> replicas, string serviceHost) =>
        replicas.Select(replica => new ScrapeTarget(ApiReplicas.Name, $"{serviceHost}:{replica.GetEndpoint("metrics").Port}", replica.Resource.Name));

    // The probe goes through the ingress, as a user's request does.
    private static Task WriteTargets(PrometheusConfiguration config, IEnumerable<ScrapeTarget> services, string healthUrl,
        string self, string blackbox, string alertmanager, ScrapeTarget backups, string? postgres = null)
    {
        config.WritePostgresTargets(postgres is null ? [] : [postgres]);
        config.WriteSelfTarget(self);
        config.WriteAlertmanagerTargets([alertmanager]);
        config.WriteServiceTargets(services);
        config.WriteBackupTargets([backups]);
        config.WriteProbeTargets(blackbox, [new(ApiReplicas.Name, healthUrl)]);
        return Task.CompletedTask;
    }
}
