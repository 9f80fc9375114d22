using System.Security.Cryptography;
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
public static class Postgres
{
    public const string Name = "postgres";

    /// <summary>Where the local server's pgBackRest configuration, logs and (without S3) repository live, under <c>.stack/</c>.</summary>
    public static string PitrDirectory(StackSettings stack) => Path.Combine(stack.DataDirectory, "pgbackrest");

    public static string PitrConfigFile(StackSettings stack) => Path.Combine(PitrDirectory(stack), "pgbackrest.conf");

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

    /// <summary>
    /// The PITR repository for a container (the server's, and the backups service's, which reads and verifies it):
    /// pgBackRest's options as <c>PGBACKREST_*</c> variables, the location derived in the image from the logical
    /// backups' bucket (ops/postgres/repository-environment.sh; without one, the folder on the shared volume), the
    /// rest from the same parameters as locally and the options of <see cref="PitrArchive"/> and <see cref="PitrRepository"/>.
    /// </summary>
    public static IResourceBuilder<T> WithPitrRepository<T>(this IResourceBuilder<T> container, IDistributedApplicationBuilder builder, StackSettings stack)
        where T : ContainerResource
    {
        container
            .WithVolume(RepositoryVolume, ContainerRepositoryFolder)
            // No configuration file (the package's /etc/pgbackrest.conf names a repository): every option is a variable.
            .WithEnvironment(PitrArchive.EnvironmentName("config"), "/dev/null")
            .WithEnvironment(PitrArchive.EnvironmentName("stanza"), PitrArchive.Stanza)
            .WithEnvironment("PITR_REPOSITORY_FOLDER", ContainerRepositoryFolder)
            .WithEnvironment("BACKUP_S3_URI", builder.SharedParameterWithDefault(Backups.S3UriParameter, ""))
            .WithEnvironment("BACKUP_S3_ENDPOINT_URL", builder.SharedParameterWithDefault(Backups.S3EndpointParameter, ""));
        foreach (var (option, value) in PitrArchive.GeneralOptions.Concat(PitrRepository.FixedOptions))
        {
            container.WithEnvironment(PitrArchive.EnvironmentName(option), value);
        }
        foreach (var (option, parameter) in new[]
        {
            (PitrRepository.CipherPassOption, CipherPass(builder, stack)),
            (PitrRepository.RetentionOption, builder.SharedParameterWithDefault("pitr-retention-days", "7")),
            ("repo1-s3-region", builder.SharedParameterWithDefault("pitr-s3-region", "us-east-1")),
            ("repo1-s3-key", builder.SharedParameterWithDefault(Backups.S3AccessKeyParameter, "", secret: true)),
            ("repo1-s3-key-secret", builder.SharedParameterWithDefault(Backups.S3SecretKeyParameter, "", secret: true)),
        })
        {
            container.WithEnvironment(PitrArchive.EnvironmentName(option), parameter);
        }
        return container;
    }

    /// <summary>The repository's key: azd asks for it deployed; in containers mode it is generated and kept under .stack.</summary>
    private static IResourceBuilder<ParameterResource> CipherPass(IDistributedApplicationBuilder builder, StackSettings stack) =>
        builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == "pitr-cipher-pass") is { } existing
            ? builder.CreateResourceBuilder(existing)
            : stack.Mode == StackMode.Publish || OperatingSystem.IsWindows()
                ? builder.AddParameter("pitr-cipher-pass", secret: true)
                : builder.AddParameterWithDefault("pitr-cipher-pass", ReadOrCreateSecret(PitrDirectory(stack), "cipher-pass"), secret: true);

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

    private sealed record PitrParameters(string ArchiveTimeout, IResourceBuilder<ParameterResource> CipherPass, IResourceBuilder<ParameterResource> RetentionDays,
        string RepositoryFolder)
    {
        /// <summary>S3 beside the logical backups when <c>backup-s3-uri</c> is set (those parameters are the backups service's), else the folder.</summary>
        public async Task<PitrRepository> RepositoryAsync(IDistributedApplicationBuilder builder, CancellationToken cancellation)
        {
            async Task<string> Value(string name) => builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == name) is { } parameter
                ? await parameter.GetValueAsync(cancellation) ?? ""
                : "";
            var days = await RetentionDays.Resource.GetValueAsync(cancellation);
            var retention = int.TryParse(days, out var parsed) && parsed >= 1
                ? parsed
                : throw new InvalidOperationException($"pitr-retention-days must be a whole number of days, at least 1, not '{days}'.");
            var cipherPass = await CipherPass.Resource.GetValueAsync(cancellation) ?? "";
            var bucket = await Value(Backups.S3UriParameter);
            return bucket.Length == 0
                ? new PitrRepository(RepositoryFolder, null, cipherPass, retention)
                : new PitrRepository(null, PitrS3.Beside(bucket, await Value(Backups.S3EndpointParameter), await Value("pitr-s3-region"),
                    await Value(Backups.S3AccessKeyParameter), await Value(Backups.S3SecretKeyParameter)), cipherPass, retention);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static PitrParameters AddPitrParameters(this IDistributedApplicationBuilder builder, StackSettings stack)
    {
        var directory = PitrDirectory(stack);
        // The repository's key: generated and kept beside it locally unless given. Lose it and the repository is unreadable.
        var cipherPass = builder.AddParameterWithDefault("pitr-cipher-pass", ReadOrCreateSecret(directory, "cipher-pass"), secret: true);
        var retention = builder.AddParameterWithDefault("pitr-retention-days", "7");
        builder.AddParameterWithDefault("pitr-s3-region", "us-east-1");
        // Bounds the RPO; tests shorten it. Not a parameter deployed: the issue fixes it at 60 s.
        var archiveTimeout = builder.Configuration["Stack:PitrArchiveTimeout"] ?? PitrArchive.DefaultArchiveTimeout;
        return new PitrParameters(archiveTimeout, cipherPass, retention, Path.Combine(directory, "repo"));
    }

    // Local mode runs PostgreSQL's Unix binaries, so file modes always apply.
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string ReadOrCreateSecret(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, name);
        if (!File.Exists(file))
        {
            File.WriteAllText(file, Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant());
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        if (LocalCommand.IsRoot)
        {
            // The server runs as the postgres user, which must be able to reach its directory.
            var parent = Path.GetDirectoryName(directory)!;
            File.SetUnixFileMode(parent, File.GetUnixFileMode(parent) | UnixFileMode.OtherExecute);
            LocalPostgres.GiveToPostgresUser(directory);
        }
        return File.ReadAllText(file).Trim();
    }
}
