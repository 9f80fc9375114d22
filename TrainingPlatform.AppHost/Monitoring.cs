namespace TrainingPlatform.AppHost;

/// <summary>Prometheus (with its blackbox probe) watching the services, and Grafana where a container runtime exists.</summary>
public static class Monitoring
{
    public static void AddMonitoring(this IDistributedApplicationBuilder builder, StackSettings stack, IResourceBuilder<ProjectResource> service)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            var deployed = builder.AddContainerPrometheus(stack, config: null);
            builder.AddContainerBlackboxExporter(stack, config: null);
            builder.AddGrafana(stack, deployed);
            return;
        }

        var config = PrometheusConfiguration.Render(stack);
        if (stack.Mode.Mode == StackMode.Local)
        {
            var prometheus = builder.AddLocalPrometheus(stack, config);
            var blackbox = builder.AddLocalBlackboxExporter(config);
            prometheus.OnBeforeResourceStarted((_, _, _) =>
            {
                config.WriteSelfTarget($"127.0.0.1:{prometheus.GetEndpoint("http").Port}");
                return WriteTargets(config, "127.0.0.1", service, blackbox.GetEndpoint("http"), "127.0.0.1");
            });
            StackLog.GrafanaSkipped();
        }
        else
        {
            var prometheus = builder.AddContainerPrometheus(stack, config);
            var blackbox = builder.AddContainerBlackboxExporter(stack, config);
            // Containers reach services on the host through host.docker.internal, and each other by resource name.
            prometheus.OnBeforeResourceStarted((_, _, _) =>
            {
                config.WriteSelfTarget("localhost:9090");
                return WriteTargets(config, "host.docker.internal", service, blackbox.GetEndpoint("http"), "blackbox");
            });
            builder.AddGrafana(stack, prometheus);
        }
    }

    private static Task WriteTargets(PrometheusConfiguration config, string serviceHost, IResourceBuilder<ProjectResource> service,
        EndpointReference blackbox, string blackboxHost)
    {
        var name = service.Resource.Name;
        config.WriteServiceTargets([(name, $"{serviceHost}:{service.GetEndpoint("metrics").Port}")]);
        var blackboxPort = blackboxHost == "blackbox" ? blackbox.TargetPort : blackbox.Port;
        config.WriteProbeTargets($"{blackboxHost}:{blackboxPort}", [(name, $"http://{serviceHost}:{service.GetEndpoint("http").Port}/healthz")]);
        return Task.CompletedTask;
    }
}
