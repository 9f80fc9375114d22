using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// The ingress clients reach the API replicas through, on the API's port: HAProxy (ops/haproxy), its configuration
/// rendered once the replicas' ports are known, from the machine's binary locally and the pinned image in containers
/// mode. Deployed, the Container Apps ingress stands in front of the replicas instead, and adds no resource.
/// </summary>
public static class Ingress
{
    public const string Name = "ingress";

    /// <summary>The API's public address: the ingress's endpoint, or deployed the API's own.</summary>
    public static EndpointReference AddIngress(this IDistributedApplicationBuilder builder, StackSettings stack,
        IReadOnlyList<IResourceBuilder<ProjectResource>> replicas) => stack.Mode switch
        {
            StackMode.Local => AddLocal(builder, stack, replicas).GetEndpoint("http"),
            StackMode.Containers => AddContainer(builder, stack, replicas).GetEndpoint("http"),
            _ => replicas[0].GetEndpoint("http"),
        };

    private static IResourceBuilder<ExecutableResource> AddLocal(IDistributedApplicationBuilder builder, StackSettings stack,
        IReadOnlyList<IResourceBuilder<ProjectResource>> replicas)
    {
        var directory = Path.Combine(stack.DataDirectory, Name);
        var configFile = Path.Combine(directory, "haproxy.cfg");
        // Not proxied by DCP: HAProxy must see each client's own address to forward it.
        var ingress = builder.AddLocalProgram(Name, IngressConfiguration.Command(configFile), stack.DataDirectory)
            .WithHttpEndpoint(port: stack.ApiPort, name: "http", isProxied: false)
            .WithHttpHealthCheck("/alive");
        var endpoint = ingress.GetEndpoint("http");
        ingress.WithEnvironment("INGRESS_BIND", ReferenceExpression.Create($"127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"));
        RenderBeforeStart(ingress, stack, directory, replicas, "127.0.0.1");
        foreach (var replica in replicas)
        {
            ingress.WaitFor(replica);
        }
        return ingress;
    }

    // Reaching the replicas on the host.
    private static IResourceBuilder<ContainerResource> AddContainer(IDistributedApplicationBuilder builder, StackSettings stack,
        IReadOnlyList<IResourceBuilder<ProjectResource>> replicas)
    {
        var directory = Path.Combine(stack.DataDirectory, Name);
        Directory.CreateDirectory(directory);
        var ingress = builder.AddContainer(Name, ContainerImages.Ingress)
            .WithBindMount(directory, "/usr/local/etc/haproxy", isReadOnly: true)
            .WithEnvironment("INGRESS_BIND", "*:8080")
            .WithHttpEndpoint(port: stack.ApiPort, targetPort: 8080, name: "http")
            .WithHttpHealthCheck("/alive");
        RenderBeforeStart(ingress, stack, directory, replicas, "host.docker.internal");
        return ingress;
    }

    private static void RenderBeforeStart<T>(IResourceBuilder<T> ingress, StackSettings stack, string directory,
        IReadOnlyList<IResourceBuilder<ProjectResource>> replicas, string replicaHost) where T : IResource =>
        ingress.OnBeforeResourceStarted((_, _, _) =>
        {
            IngressConfiguration.Render(stack.OpsDirectory, directory,
                replicas.Select(r => new IngressBackend(r.Resource.Name, $"{replicaHost}:{r.GetEndpoint("http").Port}")));
            return Task.CompletedTask;
        });
}
