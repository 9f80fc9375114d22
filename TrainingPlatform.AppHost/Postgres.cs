using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// The PostgreSQL server and the API's database, in every mode: locally the machine's binaries (initdb on the first
/// start into <c>.stack/postgres/data</c>), archiving every WAL segment through pgBackRest into the repository of
/// <c>.stack/pgbackrest/pgbackrest.conf</c> (point-in-time recovery, ops/docs/backup-restore.md); in containers mode
/// and deployed, the image of ops/postgres/Dockerfile (the pinned <c>postgres</c> image plus pgBackRest), archiving
/// into S3 beside the logical backups or a volume, configured by <c>PGBACKREST_*</c> variables, and taking its
/// scheduled backups itself. postgres_exporter beside it in every mode.
/// </summary>
public static partial class Postgres
{
    public const string Name = "postgres";

    /// <summary>The server and its database <paramref name="databaseName"/> (the connection string of that name).</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddTrainingDatabase(this IDistributedApplicationBuilder builder,
        StackSettings stack, string databaseName) =>
        stack.Mode != StackMode.Local ? builder.AddContainerPostgres(stack, databaseName)
        : OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException("Local mode needs Linux.")
        : builder.AddLocalPostgres(stack, databaseName);

    /// <summary>The server's data and pgBackRest's folder repository (without S3) in the image, each on a named volume.</summary>
    public const string ContainerDataDirectory = "/var/lib/postgresql/data";
    public const string ContainerRepositoryFolder = "/var/lib/pgbackrest";
    public const string RepositoryVolume = "trainingplatform-pgbackrest";

    /// <summary>The port postgres_exporter listens on in its image.</summary>
    public const int ExporterContainerPort = 9187;

    /// <summary>Where Prometheus scrapes postgres_exporter in containers mode and deployed: by name on the containers' network.</summary>
    public static string ContainerExporterTarget => $"{ExporterName}:{ExporterContainerPort}";

    private static IResourceBuilder<IResourceWithConnectionString> AddContainerPostgres(this IDistributedApplicationBuilder builder, StackSettings stack,
        string databaseName)
    {
        var password = builder.AddParameter("postgres-password", secret: true);
        var server = builder.AddPostgres(Name, password: password)
            .WithDockerfile(Path.Combine(stack.OpsDirectory, "postgres"))
            .WithBuildArg("POSTGRES_TAG", ContainerImages.Postgres.Tag)
            .WithDataVolume("trainingplatform-postgres")
            .WithArgs(["postgres", .. PitrArchive.ContainerServerSettings(PitrArchive.DefaultArchiveTimeout).SelectMany(setting => new[] { "-c", setting })])
            .WithPitrRepository(builder, stack)
            .WithEnvironment(PitrArchive.EnvironmentName("pg1-path"), ContainerDataDirectory)
            .WithEnvironment("PITR_FULL_SCHEDULE", builder.SharedParameterWithDefault(Backups.FullScheduleParameter, Backups.DefaultPitrFullSchedule))
            .WithEnvironment("PITR_DIFF_SCHEDULE", builder.SharedParameterWithDefault(Backups.DiffScheduleParameter, Backups.DefaultPitrDiffSchedule));

        // PostgreSQL's own metrics for Prometheus (job "postgres"), with the extra query of ops/prometheus baked in
        // when deployed (no bind mounts there). The password apart from the URI: it needs no URI-encoding there.
        var endpoint = server.GetEndpoint("tcp");
        var queries = Path.Combine(stack.OpsDirectory, "prometheus", "postgres-exporter-queries.yml");
        var exporter = stack.Mode == StackMode.Publish
            ? builder.AddDockerfile(ExporterName, Path.Combine(stack.OpsDirectory, "prometheus"), "postgres-exporter.Dockerfile")
            : builder.AddContainer(ExporterName, ContainerImages.PostgresExporter)
                .WithBindMount(queries, ExporterQueriesFile, isReadOnly: true);
        exporter
            .WithArgs("--extend.query-path=" + ExporterQueriesFile)
            .WithHttpEndpoint(targetPort: ExporterContainerPort, name: "http")
            .WithEnvironment("DATA_SOURCE_URI", ReferenceExpression.Create(
                $"{endpoint.Property(EndpointProperty.Host)}:{endpoint.Property(EndpointProperty.Port)}/postgres?sslmode=disable"))
            .WithEnvironment("DATA_SOURCE_USER", "postgres")
            .WithEnvironment("DATA_SOURCE_PASS", password)
            .WithHttpHealthCheck("/metrics")
            .WaitFor(server);

        return server.AddDatabase(databaseName);
    }

    /// <summary>Where the exporter's image (ops/prometheus/postgres-exporter.Dockerfile) and the mount put the extra query.</summary>
    private const string ExporterQueriesFile = "/etc/postgres-exporter/queries.yml";

    // Local mode runs PostgreSQL's Unix binaries, so file modes always apply.
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static IResourceBuilder<IResourceWithConnectionString> AddLocalPostgres(this IDistributedApplicationBuilder builder,
        StackSettings stack, string databaseName)
    {
        var root = Path.Combine(stack.DataDirectory, "postgres");
        var data = Path.Combine(root, "data");
        var socket = Path.Combine(root, "socket");
        var password = builder.AddParameter("postgres-password", ReadOrCreateSecret(root, "password"), secret: true);
        var pitr = builder.AddPitrParameters(stack);

        // The server's own port chosen now (DCP's proxy in front keeps its own): pgBackRest reaches the server on its
        // Unix socket, named after that port.
        var port = FreePort.Next();
        var server = builder.AddLocalProgram(Name, LocalPostgres.Server(data, port: null,
                [$"max_connections={StackSettings.PostgresMaxConnections}", .. PitrArchive.ServerSettings(PitrConfigFile(stack), socket, pitr.ArchiveTimeout)]), root)
            .WithEndpoint(name: "tcp", scheme: "tcp", targetPort: port, env: "PGPORT");
        // Rendered at every start from the parameters, so a changed bucket or retention takes effect on the next run.
        server.OnBeforeResourceStarted(async (_, _, cancellation) =>
        {
            PitrArchive.RenderConfig(PitrDirectory(stack), await pitr.RepositoryAsync(builder, cancellation), data, socket, port);
        });

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
        server.WithHealthCheck(checkName).WithRestoreDrillCommand(stack, password, databaseName);

        // PostgreSQL's own metrics for Prometheus (job "postgres"): the archiver, connections, database sizes.
        var exporter = builder.AddLocalProgram(ExporterName, new(LocalProgram.Declared("prometheus-postgres-exporter").Path,
                ["--extend.query-path=" + Path.Combine(stack.OpsDirectory, "prometheus", "postgres-exporter-queries.yml")]), root)
            .WithHttpEndpoint(name: "http")
            .WithEnvironment("DATA_SOURCE_NAME", ReferenceExpression.Create(
                $"postgresql://postgres:{password}@{endpoint.Property(EndpointProperty.Host)}:{endpoint.Property(EndpointProperty.Port)}/postgres?sslmode=disable"))
            .WithHttpHealthCheck("/metrics")
            .WaitFor(server);
        exporter.WithArgs(context => context.Args.Add(LocalExecutables.ListenAddress(exporter)));

        return builder.AddConnectionString(databaseName, ConnectionTo(databaseName)).WaitFor(server);
    }

    public const string ExporterName = "postgres-exporter";

    /// <summary>Where Prometheus scrapes postgres_exporter on <paramref name="host"/>, when the stack runs one (local mode).</summary>
    public static string? ExporterTarget(IDistributedApplicationBuilder builder, string host) =>
        builder.Resources.OfType<ExecutableResource>().FirstOrDefault(r => r.Name == ExporterName) is { } exporter
            ? $"{host}:{new EndpointReference(exporter, "http").Port}"
            : null;

}
