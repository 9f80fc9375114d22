extern alias AppHost;

using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using AppHost::TrainingPlatform.AppHost;
using TrainingPlatform.Tests.Stack;

namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>
/// The containerised server's archiving (ops/postgres/), run here without a container: its environment is the
/// manifest's <c>postgres</c> env with the parameters filled in, plus what ops/postgres/repository-environment.sh
/// derives from the bucket; the server gets the manifest's <c>-c</c> settings; its backups are backup.sh's, its
/// schedules crontab.sh's. A real PostgreSQL and pgBackRest against s3rver over TLS show that this configuration, and
/// nothing else, archives WAL and takes backups; the derived options are the ones the local configuration file gets.
/// </summary>
[UnsupportedOSPlatform("windows")] // file modes
[LongRunning(25)]
public sealed class PitrContainerTests
{
    private const string Bucket = "pitr-container";

    [Fact]
    public async Task The_image_derives_the_same_s3_repository_as_the_local_configuration()
    {
        foreach (var (uri, endpoint) in new[] { ("s3://bucket/deployed/", "https://s3.example.test:9000"), ("s3://bucket", "") })
        {
            var parameters = Parameters(uri, endpoint, "pass-1", "8");
            var environment = await ContainerEnvironmentAsync(parameters);

            var expected = new PitrRepository(null, PitrS3.Beside(uri, endpoint, "eu-west-3", "key-id", "key-secret"), "pass-1", 8).Options();
            Assert.Equal(expected.ToDictionary(o => PitrArchive.EnvironmentName(o.Key), o => o.Value).OrderBy(v => v.Key),
                environment.Where(v => v.Key.StartsWith("PGBACKREST_REPO1_", StringComparison.Ordinal)).OrderBy(v => v.Key));
        }
    }

    [Fact]
    public async Task Without_a_bucket_the_image_uses_the_folder_and_drops_every_s3_option()
    {
        var environment = await ContainerEnvironmentAsync(Parameters("", "", "pass-2", "7"));

        var expected = new PitrRepository(Postgres.ContainerRepositoryFolder, null, "pass-2", 7).Options();
        Assert.Equal(expected.ToDictionary(o => PitrArchive.EnvironmentName(o.Key), o => o.Value).OrderBy(v => v.Key),
            environment.Where(v => v.Key.StartsWith("PGBACKREST_REPO1_", StringComparison.Ordinal)).OrderBy(v => v.Key));
    }

    [Theory]
    [InlineData("s3:/bucket", "", "must look like s3://bucket/prefix")]
    [InlineData("s3://bucket/p", "http://127.0.0.1:9000", "pgBackRest reaches S3 over TLS only")]
    public async Task The_image_refuses_what_the_local_configuration_refuses(string uri, string endpoint, string message)
    {
        var local = Record.Exception(() => PitrS3.Beside(uri, endpoint, "us-east-1", "k", "s"));
        Assert.IsType<ArgumentException>(local);

        var result = await Command.RunAsync(RepositoryRoot.Ops("postgres", "repository-environment.sh"), [],
            new Dictionary<string, string> { ["BACKUP_S3_URI"] = uri, ["BACKUP_S3_ENDPOINT_URL"] = endpoint });
        Assert.True(result.ExitCode == 2 && result.Stderr.Contains(message, StringComparison.Ordinal), result.ToString());
        Assert.Contains(message, local.Message);
    }

    [Fact]
    public async Task Cron_takes_the_full_and_differential_backups_on_the_deployed_schedules_and_refuses_a_malformed_one()
    {
        var resources = (await ManifestTests.Manifest.Value).GetProperty("resources");
        string Default(string name) => resources.GetProperty(name).GetProperty("inputs").GetProperty("value").GetProperty("default").GetProperty("value").GetString()!;
        var script = RepositoryRoot.Ops("postgres", "crontab.sh");

        var crontab = await Command.RunAsync(script, [], new Dictionary<string, string>
        {
            ["PITR_FULL_SCHEDULE"] = Default("pitr-full-schedule"),
            ["PITR_DIFF_SCHEDULE"] = Default("pitr-diff-schedule"),
        });

        Assert.True(crontab.ExitCode == 0, crontab.ToString());
        var backup = RepositoryRoot.Ops("postgres", "backup.sh");
        var jobs = crontab.Stdout.Split('\n').Where(line => line.Length > 0 && !line.StartsWith('#') && !line.Contains('=')).ToList();
        Assert.Equal([$"0 3 * * 0 root {backup} full >/proc/1/fd/1 2>&1", $"0 3 * * 1-6 root {backup} diff >/proc/1/fd/1 2>&1"], jobs);

        foreach (var bad in new[] { "0 3 * *", "0 3 * * 0 6", "0 3 * * 0\n* * * * * root rm -rf /" })
        {
            var refused = await Command.RunAsync(script, [], new Dictionary<string, string> { ["PITR_FULL_SCHEDULE"] = bad, ["PITR_DIFF_SCHEDULE"] = "0 3 * * 1-6" });
            Assert.True(refused.ExitCode == 2 && refused.Stderr.Contains("PITR_FULL_SCHEDULE must be a 5-field cron expression", StringComparison.Ordinal), refused.ToString());
            Assert.Empty(refused.Stdout);
        }
    }

    [Fact]
    public async Task A_server_configured_only_as_the_container_archives_into_s3_and_takes_its_first_full_backup_once()
    {
        await using var s3 = await S3Server.StartWithTlsAsync(Bucket);
        var root = Directory.CreateTempSubdirectory("tp-pitr-container-").FullName;
        try
        {
            var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
            var (data, socket, locks) = (Path.Combine(root, "data"), Directory.CreateDirectory(Path.Combine(root, "socket")).FullName,
                Directory.CreateDirectory(Path.Combine(root, "lock")).FullName);
            var ca = Path.Combine(root, "s3-ca.pem");
            File.Copy(s3.CertificateFile!, ca);
            await File.WriteAllTextAsync(Path.Combine(root, "pwfile"), password);
            LocalPostgres.GiveToPostgresUser(root);
            await LocalProcess.RunAsync(LocalPostgres.Initdb(data, Path.Combine(root, "pwfile"), durable: false), TimeSpan.FromMinutes(1));
            var port = FreePort.Next();

            var parameters = Parameters($"s3://{Bucket}/deployed", s3.EndpointUrl, password + "-cipher", "7", "S3RVER", "S3RVER");
            var environment = await ContainerEnvironmentAsync(parameters);
            // Where this machine differs from the image: the cluster's folder, socket and port, s3rver's private CA
            // (AWS's is in the image's ca-certificates), a lock folder of the test's own; and the password the entrypoint
            // passes on (PGPASSWORD), here unused: initdb's local connections are peer-authenticated.
            environment["PGBACKREST_PG1_PATH"] = data;
            environment["PGBACKREST_PG1_SOCKET_PATH"] = socket;
            environment["PGBACKREST_PG1_PORT"] = port.ToString(CultureInfo.InvariantCulture);
            environment["PGBACKREST_REPO1_STORAGE_CA_FILE"] = ca;
            environment["PGBACKREST_LOCK_PATH"] = locks;
            environment["PGPASSWORD"] = password;
            environment["PITR_ENVIRONMENT_FILE"] = Path.Combine(root, "none");
            environment["PITR_WAIT_SECONDS"] = "60";

            var args = (await ManifestTests.Manifest.Value).GetProperty("resources").GetProperty("postgres").GetProperty("args")
                .EnumerateArray().Select(a => a.GetString()!).ToList();
            Assert.Equal("postgres", args[0]);
            var settings = args.Skip(1).Where((_, i) => i % 2 == 1)
                // The manifest's 60 s bound shortened so the test waits seconds, as PitrDrillTests does.
                .Select(s => s.StartsWith("archive_timeout=", StringComparison.Ordinal) ? "archive_timeout=2s" : s)
                .Append("unix_socket_directories=" + socket);
            var connection = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Password = password, Database = "postgres", Pooling = false }.ConnectionString;
            await using var server = await LocalProcess.StartAsync(LocalPostgres.Server(data, port, settings), async cancellation =>
            {
                try
                {
                    await using var probe = new NpgsqlConnection(connection);
                    await probe.OpenAsync(cancellation);
                    return true;
                }
                catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), environment);
            server.EndWithThisProcess();

            var backup = RepositoryRoot.Ops("postgres", "backup.sh");
            var first = await Command.RunAsync(backup, ["first"], environment, timeout: TimeSpan.FromMinutes(2));
            Assert.True(first.ExitCode == 0 && first.Stdout.Contains("pgbackrest first: full backup done", StringComparison.Ordinal), first.ToString());
            var again = await Command.RunAsync(backup, ["first"], environment, timeout: TimeSpan.FromMinutes(1));
            Assert.True(again.ExitCode == 0 && again.Stdout.Contains("the repository holds 1 full backup(s): none needed now", StringComparison.Ordinal), again.ToString());

            // A commit's WAL reaches the repository through archive_command, which reads the same variables.
            await using (var session = new NpgsqlConnection(connection))
            {
                await session.OpenAsync();
                await using var write = new NpgsqlCommand("create table drill (n int); insert into drill values (1); " +
                    "select pg_walfile_name(pg_current_wal_insert_lsn()) from pg_switch_wal() s", session);
                var segment = (string)(await write.ExecuteScalarAsync())!;
                await Wait.UntilAsync(async () =>
                {
                    await using var archived = new NpgsqlCommand("select coalesce(last_archived_wal >= $1, false) and failed_count = 0 from pg_stat_archiver", session)
                    {
                        Parameters = { new() { Value = segment } },
                    };
                    return (bool)(await archived.ExecuteScalarAsync())!;
                }, TimeSpan.FromSeconds(30), $"WAL segment {segment} archived");
            }

            var info = await Command.RunAsync(LocalCommand.IsRoot ? "setpriv" : "pgbackrest",
                [.. LocalCommand.IsRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", "pgbackrest"] : Array.Empty<string>(), "info", "--output=json"],
                environment);
            Assert.True(info.ExitCode == 0, info.ToString());
            using var json = JsonDocument.Parse(info.Stdout);
            var stanza = json.RootElement[0];
            Assert.Equal(PitrArchive.Stanza, stanza.GetProperty("name").GetString());
            // Cron's "full" and "diff" run the same backup() as "first" (a differential adds 3 s here, so not again).
            Assert.Equal(["full"], stanza.GetProperty("backup").EnumerateArray().Select(b => b.GetProperty("type").GetString()));
            Assert.Equal("aes-256-cbc", stanza.GetProperty("cipher").GetString());
            // The archive went where the parameters point: beside the logical backups' prefix, encrypted.
            Assert.Contains(await s3.KeysAsync(Bucket, "deployed/pitr/archive/"), key => key.EndsWith(".lz4", StringComparison.Ordinal));

            // An operator restores from it as backup-restore.md says for a deployment: the parameters exported as the
            // server has them, the location derived by repository-environment.sh, no configuration file.
            var operatorEnvironment = new Dictionary<string, string>(environment.Where(v => v.Key != "PGBACKREST_CONFIG"));
            var list = await Command.RunAsync(Command.Script("restore.sh"), ["pitr", "--list"], operatorEnvironment, workingDirectory: root);
            Assert.True(list.ExitCode == 0, list.ToString());
            Assert.Matches(@"\d{8}-\d{6}F\s+full", list.Stdout);
            Assert.Contains("recoverable: from ", list.Stdout);

            // The backups service, configured as its container is, reads and verifies that repository for the alerts.
            var watch = await ContainerEnvironmentAsync(parameters, "backups");
            Assert.Equal("false", watch["Pitr__TakesBackups"]);
            watch["PGBACKREST_REPO1_STORAGE_CA_FILE"] = ca;
            watch["PGBACKREST_LOCK_PATH"] = locks;
            var metrics = await WatchingServiceMetricsAsync(watch, root);
            Assert.Equal(1, metrics["pitr_verify_success"]);
            Assert.Equal(stanza.GetProperty("backup")[0].GetProperty("timestamp").GetProperty("stop").GetInt64(), metrics["pitr_last_full_backup_timestamp_seconds"]);
            // It took none itself: the server's image did.
            var runs = metrics.Where(m => m.Key.StartsWith("pitr_backup_runs_total", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(runs);
            Assert.All(runs, m => Assert.Equal(0, m.Value));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static readonly string BackupsDll = Path.Combine(RepositoryRoot.Path, "TrainingPlatform.Backups", "bin", RepositoryRoot.Configuration,
        "net10.0", "TrainingPlatform.Backups.dll");

    /// <summary>The pitr_* series of the backups service run with <paramref name="settings"/>, once it has verified the repository.</summary>
    private static async Task<Dictionary<string, double>> WatchingServiceMetricsAsync(IReadOnlyDictionary<string, string> settings, string root)
    {
        var (httpPort, metricsPort) = (FreePort.Next(), FreePort.Next());
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using var service = await LocalProcess.StartAsync(new LocalCommand("dotnet", [BackupsDll]), async cancellation =>
        {
            try
            {
                using var health = await client.GetAsync($"http://127.0.0.1:{httpPort}/healthz", cancellation);
                return health.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), new Dictionary<string, string>(settings)
        {
            // Its logical backups are not under test: a database that is never reached, on a schedule that never comes.
            ["ConnectionStrings__training"] = "Host=127.0.0.1;Port=1;Username=postgres;Password=x;Database=training",
            ["Backup__Schedule"] = "0 2 * * *",
            ["BACKUP_DIR"] = Directory.CreateDirectory(Path.Combine(root, "dumps")).FullName,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["METRICS_ENABLED"] = "true",
            ["Metrics__Port"] = metricsPort.ToString(CultureInfo.InvariantCulture),
        });
        service.EndWithThisProcess();
        return await Wait.ForAsync(async () => (await client.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics")).Split('\n')
                .Where(line => line.StartsWith("pitr_", StringComparison.Ordinal))
                .Select(line => line.Split(' '))
                .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], CultureInfo.InvariantCulture)),
            metrics => metrics.ContainsKey("pitr_verify_success"), TimeSpan.FromSeconds(60), metrics => $"pitr_verify_success on /metrics (has {string.Join(", ", metrics.Keys)})");
    }

    private static Dictionary<string, string> Parameters(string uri, string endpoint, string cipherPass, string retentionDays,
        string key = "key-id", string secret = "key-secret") => new()
        {
            ["backup-s3-uri"] = uri,
            ["backup-s3-endpoint-url"] = endpoint,
            ["backup-s3-access-key-id"] = key,
            ["backup-s3-secret-access-key"] = secret,
            ["pitr-cipher-pass"] = cipherPass,
            ["pitr-retention-days"] = retentionDays,
            ["pitr-s3-region"] = "eu-west-3",
            ["pitr-full-schedule"] = AppHost::TrainingPlatform.AppHost.Backups.DefaultPitrFullSchedule,
            ["pitr-diff-schedule"] = AppHost::TrainingPlatform.AppHost.Backups.DefaultPitrDiffSchedule,
        };

    /// <summary>
    /// A container's environment as it concerns PITR: the manifest's env of <paramref name="resource"/> with <paramref name="parameters"/> filled in,
    /// then what the image's entrypoint adds and removes (repository-environment.sh's output, as it evals it).
    /// </summary>
    private static async Task<Dictionary<string, string>> ContainerEnvironmentAsync(IReadOnlyDictionary<string, string> parameters, string resource = "postgres")
    {
        var env = (await ManifestTests.Manifest.Value).GetProperty("resources").GetProperty(resource).GetProperty("env")
            .EnumerateObject()
            .Where(v => new[] { "PGBACKREST_", "BACKUP_S3_", "PITR_", "Pitr__" }.Any(prefix => v.Name.StartsWith(prefix, StringComparison.Ordinal)))
            .ToDictionary(v => v.Name, v => Regex.Replace(v.Value.GetString()!, @"\{([a-z0-9-]+)\.value\}", m => parameters[m.Groups[1].Value]));
        var derived = await Command.RunAsync(RepositoryRoot.Ops("postgres", "repository-environment.sh"), [], env);
        Assert.True(derived.ExitCode == 0, derived.ToString());
        foreach (var line in derived.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("unset ", StringComparison.Ordinal))
            {
                foreach (var name in line["unset ".Length..].Split(' '))
                {
                    env.Remove(name);
                }
                continue;
            }
            // printf %q leaves these values (paths, host names, numbers) unquoted.
            var assignment = Regex.Match(line, "^export (?<name>PGBACKREST_[A-Z0-9_]+)=(?<value>[A-Za-z0-9/._:-]+)$");
            Assert.True(assignment.Success, $"unexpected line from repository-environment.sh: {line}");
            env[assignment.Groups["name"].Value] = assignment.Groups["value"].Value;
        }
        return env;
    }
}
