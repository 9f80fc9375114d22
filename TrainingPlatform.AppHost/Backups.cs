using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// The backup service (TrainingPlatform.Backups): ops/scripts/backup.sh on the schedule <c>backup-schedule</c> and on
/// the dashboard's "Back up now", with the same parameters either way, its metrics scraped by Prometheus. Locally it
/// is a project using the machine's pg_dump, the same version as the machine's server; in containers mode and
/// deployed it is the image of ops/backups/Dockerfile, built on the deployed server's image and so its pg_dump.
/// </summary>
public static class Backups
{
    public const string Name = "backups";

    /// <summary>Every night at 02:00 UTC. ops/docs/backup-restore.md derives the RPO from it (a test checks it says so).</summary>
    public const string DefaultSchedule = "0 2 * * *";

    /// <summary>pgBackRest's schedules: a full backup weekly (Sunday 03:00 UTC), a differential on the other nights.</summary>
    public const string DefaultPitrFullSchedule = "0 3 * * 0";
    public const string DefaultPitrDiffSchedule = "0 3 * * 1-6";
    public const string FullScheduleParameter = "pitr-full-schedule";
    public const string DiffScheduleParameter = "pitr-diff-schedule";

    /// <summary>The S3 parameters, shared with the WAL archive (Postgres.cs), which keeps its repository beside the dumps.</summary>
    public const string S3UriParameter = "backup-s3-uri";
    public const string S3EndpointParameter = "backup-s3-endpoint-url";
    public const string S3AccessKeyParameter = "backup-s3-access-key-id";
    public const string S3SecretKeyParameter = "backup-s3-secret-access-key";

    /// <summary>The ports the service listens on in its image: requests (POST /backups, health) and metrics.</summary>
    public const int ContainerHttpPort = 8080;
    public const int ContainerMetricsPort = 9464;

    /// <summary>Where backups go in the image when no S3 bucket is set (a volume deployed, .stack/backups in containers mode).</summary>
    private const string ContainerBackupDirectory = "/var/lib/backups";

    public static IResourceBuilder<IResourceWithEndpoints> AddBackups(this IDistributedApplicationBuilder builder, StackSettings stack,
        IResourceBuilder<IResourceWithConnectionString> database)
    {
        var localBackups = Path.Combine(stack.DataDirectory, "backups");
        if (stack.Mode == StackMode.Local)
        {
            var local = builder.AddProject<Projects.TrainingPlatform_Backups>(Name)
                .WithHttpEndpoint(name: "http")
                .WithHttpEndpoint(name: "metrics", env: "Metrics__Port")
                .WithEnvironment("BACKUP_DIR", localBackups);
            return Configure(builder, WithPitr(builder, stack, local), database);
        }

        var image = builder.AddDockerfile(Name, stack.RepositoryRoot, Path.Combine(stack.OpsDirectory, "backups", "Dockerfile"))
            .WithBuildArg("POSTGRES_TAG", ContainerImages.Postgres.Tag)
            .WithHttpEndpoint(targetPort: ContainerHttpPort, name: "http", env: "ASPNETCORE_HTTP_PORTS")
            .WithHttpEndpoint(targetPort: ContainerMetricsPort, name: "metrics", env: "Metrics__Port")
            .WithEnvironment("BACKUP_DIR", ContainerBackupDirectory)
            // Logs, traces and metrics to the dashboard, as a project resource sends them by itself.
            .WithOtlpExporter();
        image = stack.Mode == StackMode.Publish
            ? image.WithVolume("trainingplatform-backups", ContainerBackupDirectory)
            : image.WithBindMount(Directory.CreateDirectory(localBackups).FullName, ContainerBackupDirectory);
        return Configure(builder, WithRepositoryWatch(builder, stack, image), database);
    }

    /// <summary>Where Prometheus scrapes the service: <paramref name="host"/> and the metrics port it reaches.</summary>
    public static ScrapeTarget MetricsTarget(IResourceBuilder<IResourceWithEndpoints> backups, string? host = null) =>
        new(Name, host is null ? $"{Name}:{ContainerMetricsPort}" : $"{host}:{backups.GetEndpoint("metrics").Port}");

    // The script's report on success; the service's problem detail (the failing step, or "already running") otherwise.
    private static async Task<ExecuteCommandResult> ShowBackupResultAsync(HttpCommandResultContext context)
    {
        var body = await context.Response.Content.ReadAsStringAsync(context.CancellationToken);
        if (context.Response.IsSuccessStatusCode)
        {
            return CommandResults.Success("Backup stored and verified", body, CommandResultFormat.Json);
        }
        try
        {
            using var problem = System.Text.Json.JsonDocument.Parse(body);
            var root = problem.RootElement;
            return CommandResults.Failure($"{root.GetProperty("title").GetString()}: {root.GetProperty("detail").GetString()}", body, CommandResultFormat.Json);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return CommandResults.Failure($"POST /backups answered {(int)context.Response.StatusCode}: {body}");
        }
    }

    /// <summary>
    /// The local server's pgBackRest backups (Postgres.cs archives its WAL): the stanza and a full backup at start when
    /// the repository has none, then <c>pitr-full-schedule</c> and <c>pitr-diff-schedule</c>, and <c>pgbackrest verify</c>.
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithPitr(IDistributedApplicationBuilder builder, StackSettings stack,
        IResourceBuilder<ProjectResource> backups) =>
        backups
            .WithEnvironment("Pitr__Stanza", PitrArchive.Stanza)
            .WithEnvironment("Pitr__FullSchedule", builder.SharedParameterWithDefault(FullScheduleParameter, DefaultPitrFullSchedule))
            .WithEnvironment("Pitr__DiffSchedule", builder.SharedParameterWithDefault(DiffScheduleParameter, DefaultPitrDiffSchedule))
            .WithEnvironment("Pitr__RunAsPostgres", LocalCommand.IsRoot ? "true" : "false")
            .WithEnvironment("PGBACKREST_CONFIG", Postgres.PitrConfigFile(stack));

    /// <summary>
    /// Where the server's image takes its own pgBackRest backups (ops/postgres/): the repository read and verified,
    /// for the same metrics and alerts as locally, with the same schedules, stanza and repository as the server.
    /// </summary>
    private static IResourceBuilder<ContainerResource> WithRepositoryWatch(IDistributedApplicationBuilder builder, StackSettings stack,
        IResourceBuilder<ContainerResource> backups) =>
        backups
            .WithPitrRepository(builder, stack)
            .WithEnvironment("Pitr__Stanza", PitrArchive.Stanza)
            .WithEnvironment("Pitr__FullSchedule", builder.SharedParameterWithDefault(FullScheduleParameter, DefaultPitrFullSchedule))
            .WithEnvironment("Pitr__DiffSchedule", builder.SharedParameterWithDefault(DiffScheduleParameter, DefaultPitrDiffSchedule))
            .WithEnvironment("Pitr__TakesBackups", "false");

    private static IResourceBuilder<IResourceWithEndpoints> Configure<T>(IDistributedApplicationBuilder builder, IResourceBuilder<T> backups,
        IResourceBuilder<IResourceWithConnectionString> database)
        where T : class, IResourceWithEnvironment, IResourceWithEndpoints, IResourceWithWaitSupport
    {
        var schedule = builder.AddParameterWithDefault("backup-schedule", DefaultSchedule);
        var encryptionKey = builder.AddParameterWithDefault("backup-encryption-key", "", secret: true);
        var s3Uri = builder.SharedParameterWithDefault(S3UriParameter, "");
        var s3Endpoint = builder.SharedParameterWithDefault(S3EndpointParameter, "");
        var s3AccessKeyId = builder.SharedParameterWithDefault(S3AccessKeyParameter, "", secret: true);
        var s3SecretAccessKey = builder.SharedParameterWithDefault(S3SecretKeyParameter, "", secret: true);

        backups
            .WithReference(database)
            .WaitFor(database)
            .WithEnvironment("Backup__Schedule", schedule)
            .WithEnvironment("BACKUP_ENCRYPTION_KEY", encryptionKey)
            .WithEnvironment("BACKUP_S3_URI", s3Uri)
            .WithEnvironment("BACKUP_S3_ENDPOINT_URL", s3Endpoint)
            .WithEnvironment("AWS_ACCESS_KEY_ID", s3AccessKeyId)
            .WithEnvironment("AWS_SECRET_ACCESS_KEY", s3SecretAccessKey)
            // Its metrics are what the backup alerts watch: always on, on the internal metrics port only.
            .WithEnvironment("METRICS_ENABLED", "true")
            .WithHttpHealthCheck("/healthz")
            .WithHttpCommand("/backups", "Back up now", endpointName: "http", commandName: "backup-now", commandOptions: new HttpCommandOptions
            {
                Description = "Run ops/scripts/backup.sh now, as the schedule does: same database, target and encryption key",
                IconName = "DatabaseArrowDown",
                GetCommandResult = ShowBackupResultAsync,
            });
        return backups;
    }
}
