namespace TrainingPlatform.AppHost;

/// <summary>
/// What the dashboard's links open. A bare endpoint address opens the service's root, which is a 404 for our services:
/// every link without a label of its own gets one here, with the page that label promises (DashboardTests opens each).
/// A link a resource labels itself ("Caught emails", Alertmanager's, an SLO page) is left as it is.
/// </summary>
public static class DashboardLinks
{
    private sealed record Link(string Label, string Path);

    // By resource, then endpoint; "*" is any resource. The ingress stands for the API as clients reach it.
    private static readonly Dictionary<(string Resource, string Endpoint), Link> Links = new()
    {
        [("ingress", "http")] = new("API reference (through the ingress)", "/scalar/"),
        [("prometheus", "http")] = new("Prometheus (graph, alerts, targets)", "/"),
        [("blackbox", "http")] = new("Blackbox exporter (recent probes)", "/"),
        [("postgres-exporter", "http")] = new("PostgreSQL metrics (what Prometheus scrapes: WAL archiving, connections)", "/metrics"),
        [("*", "metrics")] = new("Metrics (what Prometheus scrapes)", "/metrics"),
    };

    /// <summary>A service's own address (each API replica, the backup service): its health report.</summary>
    private static readonly Link ProjectHealth = new("Health", "/healthz");

    public static void LabelDashboardLinks(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return;
        }
        foreach (var resource in builder.Resources.OfType<IResourceWithEndpoints>().ToList())
        {
            builder.CreateResourceBuilder(resource).WithUrls(context =>
            {
                foreach (var url in context.Urls.Where(url => string.IsNullOrEmpty(url.DisplayText) && url.Endpoint is not null))
                {
                    var endpoint = url.Endpoint!.EndpointName;
                    var link = Links.GetValueOrDefault((resource.Name, endpoint)) ?? Links.GetValueOrDefault(("*", endpoint))
                        ?? (resource is ProjectResource && endpoint == "http" ? ProjectHealth : null);
                    if (link is not null)
                    {
                        url.DisplayText = link.Label;
                        url.Url = url.Url.TrimEnd('/') + link.Path;
                    }
                }
            });
        }
    }
}
