using TrainingPlatform.Tests.Ops.Scripts;

namespace TrainingPlatform.Tests.Backups;

/// <summary>
/// The backup service (TrainingPlatform.Backups) as its own process, configured by environment variables only, as
/// a plain <c>dotnet run</c> or the image runs it: its start-up checks, "Back up now" (POST /backups) against a real
/// database and an absent one, and what its metrics port then says.
/// </summary>
public sealed class BackupServiceTests : IDisposable
{
    private static readonly string Dll = Path.Combine(RepositoryRoot.Path, "TrainingPlatform.Backups", "bin", RepositoryRoot.Configuration,
        "net10.0", "TrainingPlatform.Backups.dll");

    private readonly TempFolder _backups = new("tp-backup-service-");

    public void Dispose() => _backups.Dispose();

    [Theory]
    [InlineData("not a schedule", "Backup:Schedule \"not a schedule\" is not a cron expression")]
    [InlineData("61 * * * *", "Backup:Schedule \"61 * * * *\" is not a cron expression")]
    [InlineData("", "Backup:Schedule is not set")]
    public async Task An_invalid_schedule_stops_the_service_at_start_with_the_reason(string schedule, string message)
    {
        var environment = Environment("Host=127.0.0.1;Port=1;Username=postgres;Password=x;Database=training", FreePort.Next(), FreePort.Next());
        environment["Backup__Schedule"] = schedule;

        var result = await Command.RunAsync("dotnet", [Dll], environment, timeout: TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Output);
    }

    [Fact]
    public async Task A_run_against_an_absent_database_fails_clearly_and_counts_as_a_failure()
    {
        // A port nobody listens on: the database is down.
        await using var service = await StartAsync($"Host=127.0.0.1;Port={FreePort.Next()};Username=postgres;Password=x;Database=training");

        using var response = await service.Client.PostAsync("/backups", null);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("backup.sh: error: connecting to", problem.RootElement.GetProperty("detail").GetString());
        var metrics = await service.MetricsAsync();
        Assert.Equal(1, metrics["backup_runs_total{result=\"failure\"}"]);
        Assert.Equal(0, metrics["backup_runs_total{result=\"success\"}"]);
        Assert.InRange(metrics["backup_last_failure_timestamp_seconds"], DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 120, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.False(metrics.ContainsKey("backup_last_success_timestamp_seconds"), "no backup succeeded, yet a success time is exported");
        Assert.Empty(Directory.GetFiles(_backups.FullName, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_run_stores_a_verified_backup_and_its_metrics_say_when_how_big_and_how_long()
    {
        var server = await PostgresServer.SharedAsync();
        var database = await server.CreateDatabaseAsync();
        await using var service = await StartAsync(database);
        var before = await service.MetricsAsync();
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        using var response = await service.Client.PostAsync("/backups", null);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var location = report.RootElement.GetProperty("location").GetString()!;
        Assert.StartsWith(_backups.FullName, location);
        var recorded = (await File.ReadAllTextAsync(location + ".sha256")).Split(' ')[0];
        Assert.Equal(recorded, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(location))));

        // Both results exist from the start at 0, and the schedule's interval is exported before any run.
        Assert.Equal(0, before["backup_runs_total{result=\"success\"}"]);
        Assert.Equal(0, before["backup_runs_total{result=\"failure\"}"]);
        Assert.Equal(86400, before["backup_schedule_interval_seconds"]);
        var after = await service.MetricsAsync();
        Assert.Equal(1, after["backup_runs_total{result=\"success\"}"]);
        Assert.Equal(0, after["backup_runs_total{result=\"failure\"}"]);
        Assert.Equal(new FileInfo(location).Length, after["backup_last_size_bytes"]);
        Assert.InRange(after["backup_last_success_timestamp_seconds"], started, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        Assert.InRange(after["backup_last_duration_seconds"], 0.001, after["backup_last_success_timestamp_seconds"] - started + 1);
    }

    [Fact]
    public async Task With_a_bucket_and_a_key_a_run_stores_the_backup_encrypted_in_the_bucket_and_nothing_in_the_folder()
    {
        const string bucket = "backups";
        await using var s3 = await S3Server.StartAsync(bucket);
        var key = await AgeKey.CreateAsync();
        var server = await PostgresServer.SharedAsync();
        // The stack passes every parameter, a bucket and the local folder both: the bucket wins.
        await using var service = await StartAsync(await server.CreateDatabaseAsync(), new Dictionary<string, string>(s3.Environment)
        {
            ["BACKUP_S3_URI"] = $"s3://{bucket}/training",
            ["BACKUP_ENCRYPTION_KEY"] = key.Secret,
        });

        using var response = await service.Client.PostAsync("/backups", null);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var location = report.RootElement.GetProperty("location").GetString()!;
        Assert.StartsWith($"s3://{bucket}/training/", location);
        Assert.EndsWith(".dump.age", location);
        Assert.True(report.RootElement.GetProperty("encrypted").GetBoolean());
        Assert.Contains(location[$"s3://{bucket}/".Length..], await s3.KeysAsync(bucket, "training/"));
        Assert.Empty(Directory.GetFiles(_backups.FullName, "*", SearchOption.AllDirectories));
        Assert.DoesNotContain(key.Secret, service.Process.Log);
    }

    [Fact]
    public async Task A_run_asked_for_while_one_is_going_is_refused_with_409_and_the_first_completes()
    {
        var server = await PostgresServer.SharedAsync();
        var database = await server.CreateDatabaseAsync();
        await using var blocker = new NpgsqlConnection(database);
        await blocker.OpenAsync();
        await new NpgsqlCommand("create table held (id int)", blocker).ExecuteNonQueryAsync();
        // pg_dump waits for the lock this transaction holds: the first run stays in progress until it ends.
        await using var hold = await blocker.BeginTransactionAsync();
        await new NpgsqlCommand("lock table held in access exclusive mode", blocker, hold).ExecuteNonQueryAsync();
        await using var service = await StartAsync(database);

        var first = service.Client.PostAsync("/backups", null);
        await Wait.UntilAsync(() => service.Process.Log.Contains("Backup (on demand) started.", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the first run started");
        using var second = await service.Client.PostAsync("/backups", null);
        await hold.CommitAsync();
        using var firstResponse = await first;

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("A backup is already running", await second.Content.ReadAsStringAsync());
        Assert.True(firstResponse.StatusCode == HttpStatusCode.OK, await firstResponse.Content.ReadAsStringAsync());
        var metrics = await service.MetricsAsync();
        Assert.Equal(1, metrics["backup_runs_total{result=\"success\"}"]);
        Assert.Equal(0, metrics["backup_runs_total{result=\"failure\"}"]);
    }

    private Dictionary<string, string> Environment(string connectionString, int httpPort, int metricsPort) => new()
    {
        ["ConnectionStrings__training"] = connectionString,
        ["Backup__Schedule"] = "0 2 * * *",
        ["BACKUP_DIR"] = _backups.FullName,
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["METRICS_ENABLED"] = "true",
        ["Metrics__Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // The machine's pg tools, as the stack's local mode uses them.
        ["PG_BIN"] = LocalPostgres.BinDirectory,
    };

    private async Task<RunningService> StartAsync(string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        var (httpPort, metricsPort) = (FreePort.Next(), FreePort.Next());
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
        var process = await LocalProcess.StartAsync(new LocalCommand("dotnet", [Dll]), async cancellation =>
        {
            try
            {
                using var health = await client.GetAsync("/healthz", cancellation);
                return health.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), new Dictionary<string, string>(Environment(connectionString, httpPort, metricsPort).Concat(settings ?? new Dictionary<string, string>())));
        process.EndWithThisProcess();
        return new RunningService(process, client, metricsPort);
    }

    private sealed record RunningService(LocalProcess Process, HttpClient Client, int MetricsPort) : IAsyncDisposable
    {
        /// <summary>Every sample of the metrics port, by series (name and labels as exposed).</summary>
        public async Task<Dictionary<string, double>> MetricsAsync()
        {
            var text = await Client.GetStringAsync($"http://127.0.0.1:{MetricsPort}/metrics");
            return text.Split('\n')
                .Where(line => line.StartsWith("backup_", StringComparison.Ordinal))
                .Select(line => line.Split(' '))
                .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Process.DisposeAsync();
        }
    }
}
