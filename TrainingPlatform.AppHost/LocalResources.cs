using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TrainingPlatform.LocalStack;

namespace TrainingPlatform.AppHost;

/// <summary>
/// PostgreSQL's local form (initdb once, then the server from the machine's binaries); its container form is in
/// ContainerResources.cs. Every other resource is a file of its own holding all its modes.
/// </summary>
public static class LocalResources
{
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
