using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Xunit.Abstractions;

namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>
/// The point-in-time drill of ops/docs/backup-restore.md: a server archiving its WAL through pgBackRest into an
/// encrypted S3 repository (s3rver over TLS), configured by the same code as the stack's (<see cref="PitrArchive"/>),
/// and restored by <c>ops/scripts/restore.sh pitr</c>: to a time between two sets of rows, and to the latest point
/// after an immediate shutdown.
/// </summary>
[UnsupportedOSPlatform("windows")] // file modes
[LongRunning(20)]
public sealed class PitrDrillTests(ITestOutputHelper output) : IAsyncLifetime
{
    // A server of each test's own: the kill of one must not leave the other's history behind it.
    private readonly ArchivingServer server = new();

    public Task InitializeAsync() => server.InitializeAsync();

    public Task DisposeAsync() => server.DisposeAsync();

    [Fact]
    public async Task Restoring_to_a_time_brings_back_rows_a_whole_without_rows_b_and_with_the_schema_intact()
    {
        var name = await server.CreateTrainingDatabaseAsync();
        var database = server.ConnectionString(name);
        await server.ExecuteAsync(database, "insert into users (email, display_name, role, password_hash) " +
            "select 'a' || n || '@example.test', 'A ' || n, 'learner', md5('a' || n) from generate_series(1, 50) n");
        var target = await server.ScalarAsync<string>(database, "select to_char(now() at time zone 'utc', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
        await server.ExecuteAsync(database, "insert into users (email, display_name, role, password_hash) " +
            "select 'b' || n || '@example.test', 'B ' || n, 'learner', md5('b' || n) from generate_series(1, 20) n");
        await server.ExecuteAsync(database, "delete from users where email like 'a1%'");
        // Recovery stops at the first commit after the target, so that commit's WAL must be in the repository.
        await server.SwitchWalAndWaitUntilArchivedAsync();

        var directory = server.ScratchDirectory("to-time");
        // A time no backup ended before is refused with the reason, before anything is written.
        var early = await server.RestoreAsync(["--to-time", "2026-01-01 00:00:00+00", "--data-dir", directory]);
        Assert.True(early.ExitCode != 0 && early.Stderr.Contains("is not after the end of the oldest backup", StringComparison.Ordinal), early.ToString());
        Assert.False(Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any(), "the refused restore wrote into its directory");
        var port = FreePort.Next();
        var clock = Stopwatch.StartNew();
        var restore = await server.RestoreAsync(["--to-time", target, "--data-dir", directory, "--port", port.ToString(CultureInfo.InvariantCulture)]);
        clock.Stop();
        Assert.True(restore.ExitCode == 0, restore.ToString());
        await using var restored = server.RestoredServerIn(directory);
        Assert.Matches(@"backup\s+\d{8}-\d{6}F", restore.Stdout);
        Assert.Contains($"target          {target}", restore.Stdout);
        Assert.Contains("paused at the target", restore.Stdout);

        var copy = server.ConnectionString(name, port);
        Assert.Equal(50L, await server.ScalarAsync<long>(copy, "select count(*) from users where email like 'a%'"));
        Assert.Equal(0L, await server.ScalarAsync<long>(copy, "select count(*) from users where email like 'b%'"));
        Assert.Equal(await server.SchemaAsync(database), await server.SchemaAsync(copy));
        output.WriteLine($"RTO (restore.sh pitr --to-time of the test database, from S3): {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task After_an_immediate_shutdown_latest_loses_nothing_committed_more_than_archive_timeout_and_a_push_before()
    {
        var database = server.ConnectionString("postgres");
        await server.ExecuteAsync(database, "create table ticks (n int primary key, committed_at timestamptz not null default clock_timestamp())");
        // The RPO achieved under light load: from a commit until its WAL segment is in the repository.
        var commitToArchive = Stopwatch.StartNew();
        var lsn = await server.ScalarAsync<string>(database, "insert into ticks (n) values (0) returning pg_current_wal_insert_lsn()::text");
        await server.WaitUntilArchivedAsync(lsn);
        commitToArchive.Stop();

        // Light load: a commit every 100 ms for three archive timeouts, then the server is killed in the middle of it.
        var n = 1;
        for (var until = DateTime.UtcNow + 3 * ArchivingServer.ArchiveTimeout; DateTime.UtcNow < until; n++)
        {
            await server.ExecuteAsync(database, $"insert into ticks (n) values ({n})");
            await Task.Delay(100);
        }
        var killedAt = DateTimeOffset.UtcNow;
        await server.KillAsync();
        await RestoreLatestAndCompareAsync(n, killedAt, commitToArchive.Elapsed);
    }

    private async Task RestoreLatestAndCompareAsync(int n, DateTimeOffset killedAt, TimeSpan commitToArchive)
    {

        var directory = server.ScratchDirectory("latest");
        var port = FreePort.Next();
        var restore = await server.RestoreAsync(["--to-latest", "--data-dir", directory, "--port", port.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        await using var restored = server.RestoredServerIn(directory);
        Assert.Contains("recovery ended", restore.Stdout);

        var copy = server.ConnectionString("postgres", port);
        var kept = await server.ScalarAsync<long>(copy, "select count(*) from ticks");
        var lastKept = await server.ScalarAsync<DateTime>(copy, "select max(committed_at) from ticks");
        var bound = killedAt - ArchivingServer.ArchiveTimeout - ArchivingServer.PushAllowance;
        var missing = await server.ScalarAsync<long>(copy,
            $"select count(*) from generate_series(0, {n - 1}) n where n not in (select n from ticks)");
        var lost = n - kept;
        Assert.True(lastKept >= bound.UtcDateTime,
            $"the last commit restored ({lastKept:O}) is more than archive_timeout ({ArchivingServer.ArchiveTimeout.TotalSeconds} s) and one push " +
            $"({ArchivingServer.PushAllowance.TotalSeconds} s) before the kill ({killedAt:O})");
        Assert.Equal(lost, missing);
        // Whatever is missing was committed within archive_timeout of the kill: the restored rows are a prefix.
        Assert.Equal(kept, await server.ScalarAsync<long>(copy, "select coalesce(max(n), -1)::bigint + 1 from ticks"));
        output.WriteLine($"RPO: commit to archived WAL {commitToArchive.TotalSeconds:F1} s with archive_timeout {ArchivingServer.ArchiveTimeout.TotalSeconds} s; " +
            $"after the kill {lost} of {n} commits lost, the last restored committed {(killedAt.UtcDateTime - lastKept).TotalSeconds:F1} s before the kill");
    }

    /// <summary>
    /// An archiving server: stanza created and a full backup taken, as the backups service does when
    /// the stack starts. The archive timeout is short so the drill waits seconds; PITR_DRILL_ARCHIVE_TIMEOUT_SECONDS
    /// runs it with another (60 measures the stack's default RPO).
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    public sealed class ArchivingServer : IAsyncLifetime
    {
        public static readonly TimeSpan ArchiveTimeout = TimeSpan.FromSeconds(
            int.Parse(System.Environment.GetEnvironmentVariable("PITR_DRILL_ARCHIVE_TIMEOUT_SECONDS") ?? "2", CultureInfo.InvariantCulture));

        /// <summary>
        /// A segment switched at archive_timeout still has to be pushed (a pgBackRest process, an S3 PUT): on this loaded
        /// 2-core machine that took up to ~1 s; the RPO is archive_timeout plus this (ops/docs/backup-restore.md).
        /// </summary>
        public static readonly TimeSpan PushAllowance = TimeSpan.FromSeconds(5);

        private const string Bucket = "pitr-drill";
        private readonly string _password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        private readonly List<string> _scratch = [];
        private S3Server _s3 = null!;
        private LocalPostgres _server = null!;
        private string _config = "";

        public async Task InitializeAsync()
        {
            _s3 = await S3Server.StartWithTlsAsync(Bucket);
            _server = await LocalPostgres.StartNewAsync(_password, durable: false, (root, port) =>
            {
                var directory = Directory.CreateDirectory(Path.Combine(root, "pgbackrest")).FullName;
                var ca = Path.Combine(directory, "s3-ca.pem");
                File.Copy(_s3.CertificateFile!, ca);
                var repository = new PitrRepository(null,
                    PitrS3.Beside($"s3://{Bucket}/drill", _s3.EndpointUrl, "us-east-1", "S3RVER", "S3RVER", ca),
                    CipherPass: _password + "-cipher", RetentionDays: 7);
                var socket = Path.Combine(root, "socket");
                _config = PitrArchive.RenderConfig(directory, repository, Path.Combine(root, "data"), socket, port);
                return PitrArchive.ServerSettings(_config, socket, $"{ArchiveTimeout.TotalSeconds}s");
            });
            await LocalProcess.RunAsync(PitrArchive.Command(_config, "stanza-create"), TimeSpan.FromMinutes(1));
            await LocalProcess.RunAsync(PitrArchive.Command(_config, "backup", "--type=full"), TimeSpan.FromMinutes(2));
            // The backup's end is recorded in whole seconds and a restore target must fall in a later second.
            await Task.Delay(TimeSpan.FromMilliseconds(1050 - DateTime.UtcNow.Millisecond));
        }

        public async Task DisposeAsync()
        {
            await _server.DisposeAsync();
            await _s3.DisposeAsync();
            foreach (var directory in _scratch.Where(Directory.Exists))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        public string ConnectionString(string database, int? port = null) => new NpgsqlConnectionStringBuilder(_server.ConnectionString(database))
        {
            Port = port ?? _server.Port,
        }.ConnectionString;

        /// <summary>A new database with the API's schema, as its migrations make it; returns its name.</summary>
        public async Task<string> CreateTrainingDatabaseAsync()
        {
            var name = "t_" + Guid.NewGuid().ToString("N")[..12];
            await ExecuteAsync(ConnectionString("postgres"), $"create database {name}");
            await DrillDatabase.CreateSchemaAsync(ConnectionString(name));
            return name;
        }

        public async Task ExecuteAsync(string connectionString, string sql)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        public async Task<T> ScalarAsync<T>(string connectionString, string sql)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            return (T)(await command.ExecuteScalarAsync())!;
        }

        /// <summary>The schema check: the migration version and every column of the public schema, with its type and nullability.</summary>
        public Task<string> SchemaAsync(string connectionString) => ScalarAsync<string>(connectionString, """
            select (select max("Version") from public."VersionInfo")::text || ' ' || md5(string_agg(
                table_name || '.' || column_name || ':' || data_type || ':' || is_nullable, ',' order by table_name, column_name))
            from information_schema.columns where table_schema = 'public'
            """);

        public async Task SwitchWalAndWaitUntilArchivedAsync()
        {
            var lsn = await ScalarAsync<string>(ConnectionString("postgres"), "select pg_current_wal_insert_lsn()::text");
            await ExecuteAsync(ConnectionString("postgres"), "select pg_switch_wal()");
            await WaitUntilArchivedAsync(lsn);
        }

        /// <summary>
        /// Until the WAL segment holding <paramref name="lsn"/> has been pushed into the repository. A push can fail (a
        /// loaded machine's S3 stand-in answering late); after three failures in a row PostgreSQL's archiver pauses a
        /// minute before it tries again (a fresh-clone run's restore-to-time case once took 77 s instead of about 12, most
        /// likely that pause). While the segment's push is failing, a configuration reload wakes the archiver, which
        /// tries again at once. A failure says what the archiver last saw.
        /// </summary>
        public Task WaitUntilArchivedAsync(string lsn)
        {
            var woken = Stopwatch.StartNew();
            return Wait.ForAsync(async () =>
            {
                var state = await ScalarAsync<string>(ConnectionString("postgres"), $"""
                    select case when coalesce(last_archived_wal >= pg_walfile_name('{lsn}'), false) then 'archived'
                        else format('%slast archived %s, %s failed pushes, last failed %s',
                            case when coalesce(last_failed_wal >= pg_walfile_name('{lsn}'), false) then 'failing: ' else '' end,
                            last_archived_wal, failed_count, last_failed_wal) end
                    from pg_stat_archiver
                    """);
                // At most every 2 s: each retry is a pgBackRest process and an S3 request.
                if (state.StartsWith("failing: ", StringComparison.Ordinal) && woken.Elapsed > TimeSpan.FromSeconds(2))
                {
                    await ExecuteAsync(ConnectionString("postgres"), "select pg_reload_conf()");
                    woken.Restart();
                }
                return state;
            },
            state => state == "archived", ArchiveTimeout + TimeSpan.FromSeconds(90), state => $"WAL at {lsn} archived ({state})");
        }

        public Task KillAsync() => _server.KillAsync();

        /// <summary>An absent directory for a restored cluster, removed with the class.</summary>
        public string ScratchDirectory(string name)
        {
            var parent = Directory.CreateTempSubdirectory("tp-pitr-").FullName;
            // The restored server runs as postgres, which must reach its directory.
            File.SetUnixFileMode(parent, File.GetUnixFileMode(parent) | UnixFileMode.OtherExecute);
            _scratch.Add(parent);
            return Path.Combine(parent, name);
        }

        public Task<CommandResult> RestoreAsync(IEnumerable<string> arguments) =>
            Command.RunAsync(Command.Script("restore.sh"), ["pitr", .. arguments], new Dictionary<string, string>
            {
                ["PGBACKREST_CONFIG"] = _config,
                ["PG_BIN"] = LocalPostgres.BinDirectory,
            }, timeout: TimeSpan.FromMinutes(3));

        /// <summary>The server restore.sh left running in <paramref name="directory"/>: stopped at the end of the test, or with the test host.</summary>
        public RestoredServer RestoredServerIn(string directory) => new(directory);
    }

    public sealed class RestoredServer : IAsyncDisposable
    {
        private static readonly LocalProgram PgCtl = new("pg_ctl", "postgresql");
        private readonly string _directory;
        private readonly Process? _watchdog;

        public RestoredServer(string directory)
        {
            _directory = directory;
            var pidFile = Path.Combine(directory, "postmaster.pid");
            if (File.Exists(pidFile))
            {
                _watchdog = LocalProcess.Watch(int.Parse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture), System.Environment.ProcessId);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (File.Exists(Path.Combine(_directory, "postmaster.pid")))
            {
                await LocalProcess.RunAsync(LocalCommand.AsPostgresUser(PgCtl, "-D", _directory, "-m", "fast", "-w", "stop"), TimeSpan.FromSeconds(30));
            }
            _watchdog?.Kill(entireProcessTree: true);
        }
    }
}
