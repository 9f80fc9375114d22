using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// A shared Redis-protocol store (<see cref="CacheServers"/>: the rate limits or the output cache), bounded as its role
/// says: Debian's redis-server locally, pinned Valkey in containers mode and deployed.
/// </summary>
public static class Cache
{
    public static IResourceBuilder<IResourceWithConnectionString> AddCache(this IDistributedApplicationBuilder builder, StackSettings stack, string name) =>
        stack.Mode == StackMode.Local ? AddLocal(builder, stack, name) : AddContainer(builder, name);

    // On loopback, nothing kept on disk: limits and pages are short-lived.
    private static IResourceBuilder<IResourceWithConnectionString> AddLocal(IDistributedApplicationBuilder builder, StackSettings stack, string name)
    {
        var server = builder.AddLocalProgram(name + "-server", new(LocalProgram.Declared("redis-server").Path,
                ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", .. CacheServers.Arguments(name)]), stack.DataDirectory)
            // Not proxied: a stopped store must refuse connections, not have a proxy accept and hold them.
            .WithEndpoint(name: "tcp", scheme: "tcp", port: FreePort.Next(), isProxied: false);
        var endpoint = server.GetEndpoint("tcp");
        server.WithArgs(context =>
        {
            context.Args.Add("--port");
            context.Args.Add(endpoint.Property(EndpointProperty.Port));
        });
        return builder.AddConnectionString(name, ReferenceExpression.Create(
            $"{endpoint.Property(EndpointProperty.Host)}:{endpoint.Property(EndpointProperty.Port)}")).WaitFor(server);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddContainer(IDistributedApplicationBuilder builder, string name) =>
        builder.AddRedis(name).WithImage(ContainerImages.Cache.Name, ContainerImages.Cache.Tag).WithImageRegistry("docker.io")
            // Aspire starts the server through `sh -c "redis-server …"`: the bounds join that command line.
            .WithArgs(context => context.Args[^1] = $"{context.Args[^1]} {string.Join(' ', CacheServers.Arguments(name))}");
}
