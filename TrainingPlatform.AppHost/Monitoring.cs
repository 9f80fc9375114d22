using TrainingPlatform.LocalStack;

namespace TrainingPlatform.AppHost;

/// <summary>
/// Prometheus (with its blackbox probe) watching the services and sending its alerts to Alertmanager, and Grafana where
/// a container runtime exists.
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
        if (builder.ExecutionContext.IsPublishMode)
        {
            // The image's build context: the same configuration, with the deployment's targets, reached by name.
            var image = PrometheusConfiguration.Render(stack.OpsDirectory, Path.Combine(stack.DataDirectory, "prometheus-image"));
            WriteTargets(image, [new ScrapeTarget(ApiReplicas.Name, $"{ApiReplicas.Name}:{ApiReplicas.DeployedMetricsPort}")],
                healthUrl: $"http://{ApiReplicas.Name}/healthz",
                self: $"localhost:{ContainerResources.PrometheusPort}",
                blackbox: $"blackbox:{ContainerResources.BlackboxPort}",
                alertmanager: $"{Alerting.Name}:{Alerting.ContainerPort}",
                Backups.MetricsTarget(backups));
            var deployed = builder.AddContainerPrometheus(stack, image, publishing: true);
            builder.AddContainerBlackboxExporter(stack, config: null);
            builder.AddGrafana(stack, deployed, alertmanager);
            return;
        }

        var config = PrometheusConfiguration.Render(stack.OpsDirectory, Path.Combine(stack.DataDirectory, "prometheus"),
            stack.ScrapeInterval is { } interval ? new PrometheusClock(interval) : null);
        if (stack.Mode.Mode == StackMode.Local)
        {
            var prometheus = builder.AddLocalPrometheus(stack, config);
            var blackbox = builder.AddLocalBlackboxExporter(config);
            prometheus.OnBeforeResourceStarted((_, _, _) => WriteTargets(config, ReplicaTargets(replicas, "127.0.0.1"),
                healthUrl: $"http://127.0.0.1:{publicEndpoint.Port}/healthz",
                self: $"127.0.0.1:{prometheus.GetEndpoint("http").Port}",
                blackbox: $"127.0.0.1:{blackbox.GetEndpoint("http").Port}",
                alertmanager: $"127.0.0.1:{alertmanager.GetEndpoint("http").Port}",
                Backups.MetricsTarget(backups, "127.0.0.1"),
                Postgres.ExporterTarget(builder, "127.0.0.1")));
            StackLog.GrafanaSkipped();
        }
        else
        {
            var prometheus = builder.AddContainerPrometheus(stack, config, publishing: false);
            var blackbox = builder.AddContainerBlackboxExporter(stack, config);
            // Containers reach services on the host through host.docker.internal, and each other by resource name.
            prometheus.OnBeforeResourceStarted((_, _, _) => WriteTargets(config, ReplicaTargets(replicas, "host.docker.internal"),
                healthUrl: $"http://host.docker.internal:{publicEndpoint.Port}/healthz",
                self: $"localhost:{ContainerResources.PrometheusPort}",
                blackbox: $"blackbox:{blackbox.GetEndpoint("http").TargetPort}",
                alertmanager: $"{Alerting.Name}:{Alerting.ContainerPort}",
                Backups.MetricsTarget(backups)));
            builder.AddGrafana(stack, prometheus, alertmanager);
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
