using TrainingPlatform.LocalStack;

namespace TrainingPlatform.AppHost;

/// <summary>
/// Local mode: the infrastructure runs from binaries installed on the machine, as executables that DCP supervises.
/// How each program is found and what its command line is lives in TrainingPlatform.LocalStack, shared with the
/// tests and the benchmarks; this file only turns those commands into resources.
/// </summary>
public static class LocalResources
{
    /// <summary>
    /// A resource running <paramref name="command"/>. The program is looked up now, so a missing one stops the
    /// AppHost with the package to install instead of leaving the resource "Waiting".
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddLocalProgram(
        this IDistributedApplicationBuilder builder, string name, LocalCommand command, string workingDirectory) =>
        builder.AddExecutable(name, command.Program, workingDirectory, [.. command.Arguments]);

    public static IResourceBuilder<ExecutableResource> AddLocalPrometheus(
        this IDistributedApplicationBuilder builder, StackSettings stack, PrometheusConfiguration config)
    {
        var storage = Path.Combine(stack.DataDirectory, "prometheus-data");
        Directory.CreateDirectory(storage);
        var resource = builder.AddLocalProgram("prometheus", new(LocalProgram.Prometheus.Path, []), config.Directory)
            .WithHttpEndpoint(port: stack.PrometheusPort, name: "http")
            .WithHttpHealthCheck("/-/ready");
        return resource.WithArgs(context =>
        {
            context.Args.Add("--config.file=" + config.ConfigFile);
            context.Args.Add("--storage.tsdb.path=" + storage);
            context.Args.Add(Monitoring.Retention);
            context.Args.Add(Monitoring.ExemplarStorage);
            context.Args.Add(ListenAddress(resource));
        });
    }

    public static IResourceBuilder<ExecutableResource> AddLocalBlackboxExporter(
        this IDistributedApplicationBuilder builder, PrometheusConfiguration config)
    {
        var resource = builder.AddLocalProgram("blackbox", new(LocalProgram.BlackboxExporter.Path, []), config.Directory)
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/-/healthy");
        return resource.WithArgs(context =>
        {
            context.Args.Add("--config.file=" + config.BlackboxConfigFile);
            context.Args.Add(ListenAddress(resource));
        });
    }

    /// <summary>
    /// A shared store (<see cref="CacheServers"/>): Debian's redis-server on loopback, nothing kept on disk (limits and
    /// pages are short-lived), bounded as its role says.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddLocalCache(this IDistributedApplicationBuilder builder, StackSettings stack, string name)
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

    /// <summary>HAProxy in front of the replicas on the API's public port, its configuration rendered once their ports are known.</summary>
    public static IResourceBuilder<ExecutableResource> AddLocalIngress(this IDistributedApplicationBuilder builder, StackSettings stack,
        IReadOnlyList<IResourceBuilder<ProjectResource>> replicas)
    {
        var directory = Path.Combine(stack.DataDirectory, "ingress");
        var configFile = Path.Combine(directory, "haproxy.cfg");
        // Not proxied by DCP: HAProxy must see each client's own address to forward it.
        var ingress = builder.AddLocalProgram("ingress", IngressConfiguration.Command(configFile), stack.DataDirectory)
            .WithHttpEndpoint(port: stack.ApiPort, name: "http", isProxied: false)
            .WithHttpHealthCheck("/alive");
        var endpoint = ingress.GetEndpoint("http");
        ingress.WithEnvironment("INGRESS_BIND", ReferenceExpression.Create($"127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"));
        ingress.OnBeforeResourceStarted((_, _, _) =>
        {
            IngressConfiguration.Render(stack.OpsDirectory, directory,
                replicas.Select(r => new IngressBackend(r.Resource.Name, $"127.0.0.1:{r.GetEndpoint("http").Port}")));
            return Task.CompletedTask;
        });
        foreach (var replica in replicas)
        {
            ingress.WaitFor(replica);
        }
        return ingress;
    }

    /// <summary>The Prometheus-family flag that puts a program on its "http" endpoint's port, on loopback only.</summary>
    public static ReferenceExpression ListenAddress(IResourceBuilder<ExecutableResource> resource, string endpointName = "http") =>
        ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{resource.GetEndpoint(endpointName).Property(EndpointProperty.TargetPort)}");
}
