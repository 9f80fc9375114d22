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

    public static void AddMonitoring(this IDistributedApplicationBuilder builder, StackSettings stack, IReadOnlyList<IResourceBuilder<ProjectResource>> replicas,
        EndpointReference publicEndpoint)
    {
        var alertmanager = builder.AddAlertmanager(stack);
        if (builder.ExecutionContext.IsPublishMode)
        {
            // Its alertmanagers target is baked into the image (ops/prometheus/deploy/targets).
            var deployed = builder.AddContainerPrometheus(stack, config: null);
            builder.AddContainerBlackboxExporter(stack, config: null);
            builder.AddGrafana(stack, deployed);
            return;
        }

        var config = PrometheusConfiguration.Render(stack.OpsDirectory, Path.Combine(stack.DataDirectory, "prometheus"));
        if (stack.Mode.Mode == StackMode.Local)
        {
            var prometheus = builder.AddLocalPrometheus(stack, config);
            var blackbox = builder.AddLocalBlackboxExporter(config);
            prometheus.OnBeforeResourceStarted((_, _, _) => WriteTargets(config, replicas, publicEndpoint, serviceHost: "127.0.0.1",
                self: $"127.0.0.1:{prometheus.GetEndpoint("http").Port}",
                blackbox: $"127.0.0.1:{blackbox.GetEndpoint("http").Port}",
                alertmanager: $"127.0.0.1:{alertmanager.GetEndpoint("http").Port}"));
            StackLog.GrafanaSkipped();
        }
        else
        {
            var prometheus = builder.AddContainerPrometheus(stack, config);
            var blackbox = builder.AddContainerBlackboxExporter(stack, config);
            // Containers reach services on the host through host.docker.internal, and each other by resource name.
            prometheus.OnBeforeResourceStarted((_, _, _) => WriteTargets(config, replicas, publicEndpoint, serviceHost: "host.docker.internal",
                self: "localhost:9090",
                blackbox: $"blackbox:{blackbox.GetEndpoint("http").TargetPort}",
                alertmanager: $"{Alerting.Name}:{Alerting.ContainerPort}"));
            builder.AddGrafana(stack, prometheus);
        }
    }

    // Runs when Prometheus is about to start: by then every endpoint has its real port. Every replica is scraped
    // directly, under its own instance; the probe goes through the ingress, as a user's request does.
    private static Task WriteTargets(PrometheusConfiguration config, IReadOnlyList<IResourceBuilder<ProjectResource>> replicas,
        EndpointReference publicEndpoint, string serviceHost, string self, string blackbox, string alertmanager)
    {
        config.WriteSelfTarget(self);
        config.WriteAlertmanagerTargets([alertmanager]);
        config.WriteServiceTargets(replicas.Select(replica => new ScrapeTarget(
            ApiReplicas.Name, $"{serviceHost}:{replica.GetEndpoint("metrics").Port}", replica.Resource.Name)));
        config.WriteProbeTargets(blackbox, [new(ApiReplicas.Name, $"http://{serviceHost}:{publicEndpoint.Port}/healthz")]);
        return Task.CompletedTask;
    }
}
