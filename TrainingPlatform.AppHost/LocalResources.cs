using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TrainingPlatform.AppHost;

/// <summary>
/// Local mode: the infrastructure runs from binaries installed on the machine, as executables that DCP supervises.
/// </summary>
public static class LocalResources
{
    public static IResourceBuilder<IResourceWithConnectionString> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, StackSettings stack, string databaseName)
    {
        var bin = LocalBinaries.PostgresBin();
        var root = Path.Combine(stack.DataDirectory, "postgres");
        var data = Path.Combine(root, "data");
        var password = builder.AddParameter("postgres-password", ReadOrCreatePassword(root), secret: true);

        var postgres = AsPostgresUser(Path.Combine(bin, "postgres"));
        var server = builder.AddExecutable("postgres", postgres.Program, root,
                [.. postgres.Arguments, "-D", data, "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="])
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "PGPORT");

        // initdb runs once, on the first start; later starts reuse the data directory.
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            var initdb = AsPostgresUser(Path.Combine(bin, "initdb"));
            var init = builder.AddExecutable("postgres-init", initdb.Program, root,
                [.. initdb.Arguments, "-D", data, "-U", "postgres", "-E", "UTF8",
                 "--auth-local=peer", "--auth-host=scram-sha-256", "--pwfile=" + Path.Combine(root, "password")]);
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
        var prometheus = LocalBinaries.Find("prometheus", "prometheus");
        var storage = Path.Combine(stack.DataDirectory, "prometheus-data");
        Directory.CreateDirectory(storage);
        var resource = builder.AddExecutable("prometheus", prometheus, config.Directory)
            .WithHttpEndpoint(port: stack.PrometheusPort, name: "http")
            .WithHttpHealthCheck("/-/ready");
        var endpoint = resource.GetEndpoint("http");
        return resource.WithArgs(context =>
        {
            context.Args.Add("--config.file=" + config.ConfigFile);
            context.Args.Add("--storage.tsdb.path=" + storage);
            context.Args.Add("--web.enable-lifecycle");
            context.Args.Add(Monitoring.ExemplarStorage);
            context.Args.Add(ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"));
        });
    }

    public static IResourceBuilder<ExecutableResource> AddLocalBlackboxExporter(
        this IDistributedApplicationBuilder builder, PrometheusConfiguration config)
    {
        var exporter = LocalBinaries.Find("prometheus-blackbox-exporter", "prometheus-blackbox-exporter");
        var resource = builder.AddExecutable("blackbox", exporter, config.Directory)
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/-/healthy");
        var endpoint = resource.GetEndpoint("http");
        return resource.WithArgs(context =>
        {
            context.Args.Add("--config.file=" + Path.Combine(config.Directory, "blackbox.yml"));
            context.Args.Add(ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"));
        });
    }

    private sealed record Command(string Program, string[] Arguments);

    // PostgreSQL refuses to run as root; DCP's SIGTERM still reaches it because setpriv execs.
    private static Command AsPostgresUser(string program) => LocalBinaries.IsRoot
        ? new("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program])
        : new(program, []);

    private static string ReadOrCreatePassword(string root)
    {
        Directory.CreateDirectory(root);
        var file = Path.Combine(root, "password");
        if (!File.Exists(file))
        {
            File.WriteAllText(file, Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        if (LocalBinaries.IsRoot)
        {
            // The server runs as the postgres user, which must be able to reach its directory.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.GetDirectoryName(root)!, File.GetUnixFileMode(Path.GetDirectoryName(root)!) | UnixFileMode.OtherExecute);
            }
            using var chown = Process.Start("chown", ["-R", "postgres:postgres", root])!;
            chown.WaitForExit();
        }
        return File.ReadAllText(file).Trim();
    }
}
