using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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

    public static IResourceBuilder<IResourceWithConnectionString> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, StackSettings stack, string databaseName)
    {
        var root = Path.Combine(stack.DataDirectory, "postgres");
        var data = Path.Combine(root, "data");
        var password = builder.AddParameter("postgres-password",
            OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException("Local mode needs Linux.") : ReadOrCreatePassword(root), secret: true);

        var server = builder.AddLocalProgram("postgres", LocalPostgres.Server(data, port: null, $"max_connections={StackSettings.PostgresMaxConnections}"), root)
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "PGPORT");

        // initdb runs once, on the first start; later starts reuse the data directory.
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            var init = builder.AddLocalProgram("postgres-init", LocalPostgres.Initdb(data, Path.Combine(root, "password")), root);
            server.WaitForCompletion(init);
        }

        var endpoint = server.GetEndpoint("tcp");
        ReferenceExpression ConnectionTo(string database) => ReferenceExpression.Create(
            $"Host={endpoint.Property(EndpointProperty.Host)};Port={endpoint.Property(EndpointProperty.Port)};Username=postgres;Password={password};Database={database}");
        var checkName = "postgres-ready";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            checkName, _ => new LocalDatabaseReadiness(ConnectionTo("postgres"), databaseName), HealthStatus.Unhealthy, tags: null));
        server.WithHealthCheck(checkName);

        return builder.AddConnectionString(databaseName, ConnectionTo(databaseName)).WaitFor(server);
    }

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

    // Local mode runs PostgreSQL's Unix binaries, so file modes always apply.
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string ReadOrCreatePassword(string root)
    {
        Directory.CreateDirectory(root);
        var file = Path.Combine(root, "password");
        if (!File.Exists(file))
        {
            File.WriteAllText(file, Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant());
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        if (LocalCommand.IsRoot)
        {
            // The server runs as the postgres user, which must be able to reach its directory.
            var parent = Path.GetDirectoryName(root)!;
            File.SetUnixFileMode(parent, File.GetUnixFileMode(parent) | UnixFileMode.OtherExecute);
            LocalPostgres.GiveToPostgresUser(root);
        }
        return File.ReadAllText(file).Trim();
    }
}
