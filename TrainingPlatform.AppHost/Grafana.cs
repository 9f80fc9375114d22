namespace TrainingPlatform.AppHost;

/// <summary>
/// Grafana with the data sources and dashboards of ops/grafana: the pinned image with them mounted in containers mode,
/// deployed the image of ops/grafana/Dockerfile, which bakes them in. Locally there is no binary: the AppHost says so.
/// </summary>
public static class Grafana
{
    public const string Name = "grafana";

    public static void AddGrafana(this IDistributedApplicationBuilder builder, StackSettings stack, IResourceBuilder<IResourceWithEndpoints> prometheus,
        IResourceBuilder<IResourceWithEndpoints> alertmanager)
    {
        if (stack.Mode == StackMode.Local)
        {
            StackLog.GrafanaSkipped();
            return;
        }
        var publishing = stack.Mode == StackMode.Publish;
        var grafanaOps = Path.Combine(stack.OpsDirectory, "grafana");
        var grafana = publishing
            ? builder.AddDockerfile(Name, grafanaOps)
            : builder.AddContainer(Name, ContainerImages.Grafana)
                .WithBindMount(Path.Combine(grafanaOps, "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
                .WithBindMount(Path.Combine(grafanaOps, "dashboards"), "/var/lib/grafana/dashboards", isReadOnly: true);
        // Exemplars link to a trace's page in the trace UI: the Aspire dashboard this AppHost serves, or when
        // deployed the one of the environment (a parameter, its URL known only there).
        if (publishing)
        {
            grafana.WithEnvironment("TRACE_UI_URL", builder.AddParameter("trace-ui-url"));
        }
        else
        {
            grafana.WithEnvironment("TRACE_UI_URL", builder.Configuration["ASPNETCORE_URLS"]?.Split(';')[0] ?? "");
        }
        // Never the image's admin/admin: generated (and kept) unless given.
        var adminPassword = builder.AddParameter("grafana-admin-password", new GenerateParameterDefault { MinLength = 24 }, secret: true, persist: true);
        grafana
            .WithEnvironment("GF_SECURITY_ADMIN_PASSWORD", adminPassword)
            .WithEnvironment("PROMETHEUS_URL", prometheus.GetEndpoint("http"))
            .WithEnvironment("ALERTMANAGER_URL", alertmanager.GetEndpoint("http"))
            // Deployed, Grafana (behind its admin password) is the operators' way in; Prometheus and Alertmanager,
            // which have no login of their own, stay inside the environment and are reached through it.
            .WithHttpEndpoint(port: publishing ? null : stack.GrafanaPort, targetPort: 3000, name: "http")
            .WithExternalHttpEndpoints()
            .WithHttpHealthCheck("/api/health");
    }
}
