using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// The API as <see cref="StackSettings.ApiReplicas"/> processes (resources <c>api</c>, <c>api-2</c>, …), each
/// with its own metrics port, its share of the database's connections, and trust in exactly the ingress in front.
/// </summary>
public static class ApiReplicas
{
    public const string Name = "api";

    /// <summary>The port the API's metrics endpoint listens on when deployed (Prometheus scrapes it by name there).</summary>
    public const int DeployedMetricsPort = 9464;

    public static IReadOnlyList<IResourceBuilder<ProjectResource>> AddApiReplicas(this IDistributedApplicationBuilder builder,
        StackSettings stack, IResourceBuilder<IResourceWithConnectionString> database, IResourceBuilder<IResourceWithConnectionString> cache,
        IResourceBuilder<IResourceWithConnectionString> pages)
    {
        var publishing = stack.Mode == StackMode.Publish;
        // On in every mode: the SLO alerts and the release gate read these metrics. Off is an operator's explicit choice.
        var metricsEnabled = builder.AddParameterWithDefault("metrics-enabled", "true");
        var signingKey = builder.AddParameter("jwt-signing-key", new GenerateParameterDefault { MinLength = 48 }, secret: true, persist: true);
        // A key that validates and never signs, set only during a key rotation (ops/docs/secret-rotation.md).
        var previousSigningKey = builder.AddParameterWithDefault("jwt-previous-signing-key", "", secret: true);
        var sentryDsn = builder.AddParameterWithDefault("sentry-dsn", "", secret: true);
        var trustedProxies = TrustedProxies(builder, stack);
        var poolSize = PoolBudget(builder, stack);
        // Deployed, the platform runs the replicas of one app; locally, each replica is a resource of its own.
        var count = publishing ? 1 : stack.ApiReplicas;

        return Enumerable.Range(1, count).Select(replica =>
        {
            var api = builder.AddProject<Projects.TrainingPlatform_Api>(replica == 1 ? Name : $"{Name}-{replica}")
                .WithReference(database)
                .WaitFor(database)
                .WithReference(cache)
                .WithReference(pages)
                // The ingress owns the public port. It reaches each replica directly, not through a DCP proxy, which
                // would accept connections for a dead replica and hold them instead of refusing them at once.
                .WithEndpoint("http", endpoint =>
                {
                    endpoint.Port = publishing ? null : FreePort.Next();
                    endpoint.TargetPort = endpoint.Port;
                    endpoint.IsProxied = publishing;
                    // Deployed, the Container Apps ingress takes the API's public traffic: without this it would
                    // answer only inside the environment.
                    endpoint.IsExternal = publishing;
                })
                // Prometheus scrapes an internal port of its own, so /metrics never faces the public.
                .WithHttpEndpoint(targetPort: publishing ? DeployedMetricsPort : null, name: "metrics", env: "Metrics__Port")
                .WithEnvironment("METRICS_ENABLED", metricsEnabled)
                .WithEnvironment("Jwt__SigningKey", signingKey)
                .WithEnvironment("Jwt__PreviousSigningKey", previousSigningKey)
                .WithEnvironment("SENTRY_DSN", sentryDsn)
                // Deployed, Prometheus reaches the replicas through the app's load balancer: each labels its own series.
                .WithEnvironment("Metrics__InstanceLabel", publishing ? "true" : "false")
                .WithHttpHealthCheck("/healthz");
            return poolSize(trustedProxies(api));
        }).ToList();
    }

    /// <summary>
    /// Each replica's share of the database's connections (<c>Database__MaxPoolSize</c>). Locally it follows from the
    /// replica count; deployed, from the parameter <c>api-pool-size</c>, whose default fits 3 replicas on a server
    /// with the same <c>max_connections</c>: lower it when the scale rule allows more.
    /// </summary>
    private static Func<IResourceBuilder<ProjectResource>, IResourceBuilder<ProjectResource>> PoolBudget(
        IDistributedApplicationBuilder builder, StackSettings stack)
    {
        const string key = "Database__MaxPoolSize";
        if (stack.Mode != StackMode.Publish)
        {
            return api => api.WithEnvironment(key, stack.ApiPoolSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var deployed = stack with { ApiReplicas = 3 };
        var parameter = builder.AddParameterWithDefault("api-pool-size", deployed.ApiPoolSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return api => api.WithEnvironment(key, parameter);
    }

    /// <summary>
    /// Which peers may tell the API the client's address (X-Forwarded-For): the local ingress on loopback; the
    /// containers' bridge networks in containers mode; when deployed, the Container Apps ingress, whose networks
    /// are the parameter <c>trusted-proxy-networks</c> (see ops/docs/scale-out.md for the default and its source).
    /// </summary>
    private static Func<IResourceBuilder<ProjectResource>, IResourceBuilder<ProjectResource>> TrustedProxies(
        IDistributedApplicationBuilder builder, StackSettings stack)
    {
        switch (stack.Mode)
        {
            case StackMode.Local:
                return api => api.WithEnvironment("ForwardedHeaders__KnownProxies__0", "127.0.0.1");
            case StackMode.Containers:
                return api => api.WithEnvironment("ForwardedHeaders__KnownNetworks__0", ContainerBridgeNetworks);
            default:
                var networks = builder.AddParameterWithDefault("trusted-proxy-networks", ContainerAppsIngressNetworks);
                return api => api.WithEnvironment("ForwardedHeaders__KnownNetworks__0", networks);
        }
    }

    /// <summary>The address ranges Azure Container Apps reserves for its own infrastructure, the ingress included.</summary>
    public const string ContainerAppsIngressNetworks = "100.100.0.0/17,100.100.128.0/19,100.100.160.0/19,100.100.192.0/19";

    /// <summary>Docker's and Podman's default bridge networks, from which a container reaches the host.</summary>
    public const string ContainerBridgeNetworks = "172.16.0.0/12,10.88.0.0/16";
}
