extern alias AppHost;

using AppHost::TrainingPlatform.AppHost;

namespace TrainingPlatform.Tests.Stack;

/// <summary>
/// The deployed PostgreSQL in the manifest azd reads: built from ops/postgres/Dockerfile (pgBackRest on the pinned
/// image), archiving with the settings of <see cref="PitrArchive"/>, pgBackRest configured by <c>PGBACKREST_*</c>
/// variables from the parameters (secrets as secret parameters), and postgres_exporter beside it, scraped by the
/// Prometheus image as job <c>postgres</c>. PitrContainerTests runs the same configuration with the real pgBackRest.
/// </summary>
public class PostgresManifestTests
{
    private static readonly string[] PitrParameterVariables = ["BACKUP_S3_URI", "BACKUP_S3_ENDPOINT_URL", "PITR_FULL_SCHEDULE", "PITR_DIFF_SCHEDULE"];

    [Fact]
    public async Task The_server_is_built_from_the_pgbackrest_image_and_archives_with_the_settings_of_PitrArchive()
    {
        var postgres = (await ManifestTests.Manifest.Value).GetProperty("resources").GetProperty("postgres");
        var build = postgres.GetProperty("build");

        Assert.EndsWith("/ops/postgres/Dockerfile", build.GetProperty("dockerfile").GetString());
        Assert.Equal(ContainerImages.Postgres.Tag, build.GetProperty("args").GetProperty("POSTGRES_TAG").GetString());
        Assert.False(postgres.TryGetProperty("image", out _), "the plain postgres image does not archive");
        var args = postgres.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToList();
        Assert.Equal(["postgres", .. PitrArchive.ContainerServerSettings("60s").SelectMany(setting => new[] { "-c", setting })], args);
        // The issue's RPO bound, deployed as locally.
        Assert.Contains("archive_timeout=60s", args);
        Assert.Equal("60s", PitrArchive.DefaultArchiveTimeout);

        var dockerfile = await File.ReadAllTextAsync(RepositoryRoot.Ops("postgres", "Dockerfile"));
        Assert.Matches(@"apt-get install[^\n]* pgbackrest", dockerfile);
        Assert.Contains("ENTRYPOINT [\"tini\", \"--\", \"/usr/local/lib/pitr/entrypoint.sh\"]", dockerfile);
        // Every script the entrypoint calls is in the image.
        foreach (var script in Directory.GetFiles(RepositoryRoot.Ops("postgres"), "*.sh").Select(Path.GetFileName))
        {
            Assert.Matches($@"(?m)^COPY [^\n]*\b{Regex.Escape(script!)}\b", dockerfile);
        }
    }

    [Fact]
    public async Task Every_pgbackrest_option_is_a_parameter_or_the_shared_code_and_every_secret_a_secret_parameter()
    {
        var resources = (await ManifestTests.Manifest.Value).GetProperty("resources");
        var postgres = resources.GetProperty("postgres");
        var env = postgres.GetProperty("env").EnumerateObject().ToDictionary(v => v.Name, v => v.Value.GetString()!);

        foreach (var (variable, parameter, secret) in new[]
        {
            (PitrArchive.EnvironmentName(PitrRepository.CipherPassOption), "pitr-cipher-pass", true),
            (PitrArchive.EnvironmentName(PitrRepository.RetentionOption), "pitr-retention-days", false),
            ("PGBACKREST_REPO1_S3_REGION", "pitr-s3-region", false),
            ("PGBACKREST_REPO1_S3_KEY", "backup-s3-access-key-id", true),
            ("PGBACKREST_REPO1_S3_KEY_SECRET", "backup-s3-secret-access-key", true),
            ("BACKUP_S3_URI", "backup-s3-uri", false),
            ("BACKUP_S3_ENDPOINT_URL", "backup-s3-endpoint-url", false),
            ("PITR_FULL_SCHEDULE", "pitr-full-schedule", false),
            ("PITR_DIFF_SCHEDULE", "pitr-diff-schedule", false),
        })
        {
            Assert.Equal($"{{{parameter}.value}}", env[variable]);
            var input = resources.GetProperty(parameter).GetProperty("inputs").GetProperty("value");
            Assert.True(secret == (input.TryGetProperty("secret", out var isSecret) && isSecret.GetBoolean()), $"{parameter} secret: expected {secret}");
        }
        // The repository's key is asked for, never a default everyone shares; the rest default as locally.
        Assert.False(resources.GetProperty("pitr-cipher-pass").GetProperty("inputs").GetProperty("value").TryGetProperty("default", out _));
        Assert.Equal("7", Default(resources, "pitr-retention-days"));
        Assert.Equal(AppHost::TrainingPlatform.AppHost.Backups.DefaultPitrFullSchedule, Default(resources, "pitr-full-schedule"));
        Assert.Equal(AppHost::TrainingPlatform.AppHost.Backups.DefaultPitrDiffSchedule, Default(resources, "pitr-diff-schedule"));

        // The options every repository shares come from the code that renders the local configuration file.
        foreach (var (option, value) in PitrArchive.GeneralOptions.Concat(PitrRepository.FixedOptions))
        {
            Assert.Equal(value, env[PitrArchive.EnvironmentName(option)]);
        }
        Assert.Equal(PitrArchive.Stanza, env["PGBACKREST_STANZA"]);
        // Only these variables: no configuration file adds or overrides an option.
        Assert.Equal("/dev/null", env["PGBACKREST_CONFIG"]);
        // Nothing secret in plain sight: no argument refers to a parameter, and every password, key or secret is one.
        Assert.DoesNotContain(postgres.GetProperty("args").EnumerateArray(), a => a.GetString()!.Contains('{'));
        Assert.All(env.Where(v => Regex.IsMatch(v.Key, "PASS|SECRET|_KEY$")), v => Assert.Matches(@"^\{[a-z0-9-]+\.value\}$", v.Value));
        Assert.All(PitrParameterVariables, variable => Assert.Contains(variable, env.Keys));
    }

    [Fact]
    public async Task Without_s3_the_repository_is_a_named_volume_beside_the_data()
    {
        var postgres = (await ManifestTests.Manifest.Value).GetProperty("resources").GetProperty("postgres");
        var volumes = postgres.GetProperty("volumes").EnumerateArray().ToList();

        var folder = postgres.GetProperty("env").GetProperty("PITR_REPOSITORY_FOLDER").GetString();
        var repository = Assert.Single(volumes, v => v.GetProperty("target").GetString() == folder);
        Assert.Equal(Postgres.RepositoryVolume, repository.GetProperty("name").GetString());
        Assert.Contains(volumes, v => v.GetProperty("name").GetString() == "trainingplatform-postgres");
        var data = postgres.GetProperty("env").GetProperty("PGBACKREST_PG1_PATH").GetString()!;
        Assert.Contains(volumes, v => data.StartsWith(v.GetProperty("target").GetString()! + "/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_exporter_reads_the_server_with_the_password_parameter_and_prometheus_scrapes_it_as_job_postgres()
    {
        var resources = (await ManifestTests.Manifest.Value).GetProperty("resources");
        var exporter = resources.GetProperty(Postgres.ExporterName);
        var env = exporter.GetProperty("env");

        Assert.EndsWith("/ops/prometheus/postgres-exporter.Dockerfile", exporter.GetProperty("build").GetProperty("dockerfile").GetString());
        Assert.Equal("{postgres-password.value}", env.GetProperty("DATA_SOURCE_PASS").GetString());
        Assert.Equal("postgres", env.GetProperty("DATA_SOURCE_USER").GetString());
        Assert.StartsWith("{postgres.bindings.tcp.host}:{postgres.bindings.tcp.port}/", env.GetProperty("DATA_SOURCE_URI").GetString());
        // The extra query (pg_wal_pending_segments, which the archiving alerts read) is the one the Dockerfile bakes in.
        var queries = Assert.Single(exporter.GetProperty("args").EnumerateArray().Select(a => a.GetString()!), a => a.StartsWith("--extend.query-path=", StringComparison.Ordinal)).Split('=')[1];
        Assert.Contains($"COPY postgres-exporter-queries.yml {queries}", await File.ReadAllTextAsync(RepositoryRoot.Ops("prometheus", "postgres-exporter.Dockerfile")));
        var http = exporter.GetProperty("bindings").GetProperty("http");
        Assert.False(http.TryGetProperty("external", out var external) && external.GetBoolean(), "the exporter must not face the public");

        var context = Path.GetFullPath(resources.GetProperty("prometheus").GetProperty("build").GetProperty("context").GetString()!,
            ManifestTests.OutputDirectory);
        using var targets = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(context, "targets", "postgres.json")));
        var group = Assert.Single(targets.RootElement.EnumerateArray());
        Assert.Equal($"{Postgres.ExporterName}:{http.GetProperty("targetPort").GetInt32()}", Assert.Single(group.GetProperty("targets").EnumerateArray()).GetString());
        Assert.Matches(@"job_name: postgres\s+file_sd_configs:\s+- files: \[targets/postgres\.json\]", await File.ReadAllTextAsync(Path.Combine(context, "prometheus.yml")));
    }

    [Fact]
    public async Task The_backups_service_reads_and_verifies_the_same_repository_and_takes_no_backup_itself()
    {
        var resources = (await ManifestTests.Manifest.Value).GetProperty("resources");
        static Dictionary<string, string> Env(JsonElement resource) => resource.GetProperty("env").EnumerateObject().ToDictionary(v => v.Name, v => v.Value.GetString()!);
        var server = Env(resources.GetProperty("postgres"));
        var backups = Env(resources.GetProperty("backups"));

        Assert.Equal("false", backups["Pitr__TakesBackups"]);
        Assert.Equal(PitrArchive.Stanza, backups["Pitr__Stanza"]);
        Assert.Equal(server["PITR_FULL_SCHEDULE"], backups["Pitr__FullSchedule"]);
        Assert.Equal(server["PITR_DIFF_SCHEDULE"], backups["Pitr__DiffSchedule"]);
        // The repository as the server has it: every option but the server's own (its data directory).
        var repository = new[] { "BACKUP_S3_URI", "BACKUP_S3_ENDPOINT_URL", "PITR_REPOSITORY_FOLDER" }
            .Concat(server.Keys.Where(k => k.StartsWith("PGBACKREST_", StringComparison.Ordinal) && !k.StartsWith("PGBACKREST_PG1_", StringComparison.Ordinal)));
        Assert.All(repository, key => Assert.Equal(server[key], backups.GetValueOrDefault(key)));
        Assert.Contains(resources.GetProperty("backups").GetProperty("volumes").EnumerateArray(),
            v => v.GetProperty("name").GetString() == Postgres.RepositoryVolume && v.GetProperty("target").GetString() == server["PITR_REPOSITORY_FOLDER"]);

        var dockerfile = await File.ReadAllTextAsync(RepositoryRoot.Ops("backups", "Dockerfile"));
        Assert.Matches(@"apt-get install[^\n]* pgbackrest", dockerfile);
        Assert.Contains("COPY ops/postgres/repository-environment.sh /app/ops/postgres/", dockerfile);
        // A malformed bucket parameter stops it with the script's message rather than watching the default folder.
        Assert.Contains("repository=$(/app/ops/postgres/repository-environment.sh) && eval \\\"$repository\\\" && exec ", dockerfile);
        Assert.Contains("!ops/postgres/repository-environment.sh", await File.ReadAllTextAsync(RepositoryRoot.Ops("backups", "Dockerfile.dockerignore")));
    }

    private static string? Default(JsonElement resources, string parameter) =>
        resources.GetProperty(parameter).GetProperty("inputs").GetProperty("value").GetProperty("default").GetProperty("value").GetString();
}
