using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using TrainingPlatform.Tests.ServiceDefaults;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// The warm-up before the server listens (issue 26, <c>Http/WarmUp.cs</c>): it runs by default, before the server
/// listens, so the first answer of <c>/healthz</c> is already 200 (no 503 phase for the 5xx counters and the logs); its
/// requests through the app's pipeline leave no access line, request metric or security event; it leaves nothing
/// behind in the database (it reads ids that do not exist), however often it runs; and
/// <c>WarmUp:Calls</c> 0 turns it off (as the other tests run) while a negative number stops start-up, as does a negative
/// <c>WarmUp:SettleSeconds</c>.
/// </summary>
[LongRunning(35)]
public sealed partial class WarmUpTests
{
    private const string WarmedUp = "Warmed up on";

    // The product's default: the tests' shared settings turn the warm-up off.
    private static readonly Dictionary<string, string?> Default = new() { [TrainingPlatform.Api.Http.WarmUp.CallsKey] = null };

    [Fact]
    public async Task By_default_the_warm_up_runs_before_the_server_listens_and_the_first_health_answer_is_ready()
    {
        var postgres = await PostgresServer.SharedAsync();
        await using var api = await ApiProcess.StartAsync(await postgres.CreateDatabaseAsync(), Default);

        var lines = api.LogLines.ToList();
        var warmedUp = lines.FindIndex(line => line.Contains(WarmedUp, StringComparison.Ordinal));
        var listening = lines.FindIndex(line => line.Contains("Now listening on", StringComparison.Ordinal));
        Assert.True(warmedUp >= 0 && listening > warmedUp, "the warm-up did not end before the server listened:\n" + string.Join('\n', lines));
        var requests = WarmUpRequests().Match(lines[warmedUp]);
        Assert.True(requests.Success && long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture) > 0,
            "the warm-up sent no request through the pipeline: " + lines[warmedUp]);
        using var client = api.CreateHttpClient();
        var metrics = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(0, metrics.ValueOrZero(HttpMeasures.ServerErrorsTotal));
        Assert.Equal(0, metrics.ValueOrZero(HttpMeasures.SecurityEventsTotal));
        // Only the start's health checks were requests: no series, no access line of the warm-up's routes.
        Assert.DoesNotContain(metrics.Named(HttpMeasures.RequestsTotal), sample => sample.Labels["path_template"].StartsWith("/api/", StringComparison.Ordinal));
        Assert.DoesNotContain(api.LogLines, line => line.Contains("/api/v1/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_warm_up_writes_no_row_however_often_it_runs_and_a_negative_settle_bound_is_refused()
    {
        var postgres = await PostgresServer.SharedAsync();
        var database = await postgres.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?>(ApiFixture.Settings);
        settings[TrainingPlatform.Api.Http.WarmUp.CallsKey] = null;
        // The calls and the routes through the pipeline, without waiting for the JIT to settle: in a test process it
        // never does, and each start would spend the whole bound on both cores.
        settings[TrainingPlatform.Api.Http.WarmUp.SettleSecondsKey] = "0";
        await using var api = await ApiServer.StartAsync(settings, postgres: postgres, connectionString: database);
        using var client = api.CreateHttpClient();

        using var first = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await api.Services.GetRequiredService<TrainingPlatform.Api.Http.WarmUp>().RunAsync(CancellationToken.None);

        foreach (var table in new[] { "users", "sessions", "refresh_tokens", "courses", "lessons", "enrollments", "lesson_completions" })
        {
            Assert.Equal(0, await Rows.CountAsync(database, table));
        }
        var metrics = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(0, metrics.ValueOrZero(HttpMeasures.ServerErrorsTotal));

        var negative = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [TrainingPlatform.Api.Http.WarmUp.SettleSecondsKey] = "-1" }).Build();
        var refused = new TrainingPlatform.Api.Http.WarmUp(api.Services, api.Services.GetRequiredService<NpgsqlDataSource>(), negative,
            NullLogger<TrainingPlatform.Api.Http.WarmUp>.Instance);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => refused.RunAsync(CancellationToken.None));
        Assert.Contains("WarmUp:SettleSeconds is -1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_api_keeps_tiered_pgo_and_counts_calls_from_its_start()
    {
        // What the host reads at start, from the file dotnet publish puts beside the API (and so into its image).
        using var runtimeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TrainingPlatform.Api.runtimeconfig.json")));
        var properties = runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.False(properties.TryGetProperty("System.Runtime.TieredPGO", out var pgo) && pgo.ValueKind == JsonValueKind.False,
            "tiered PGO is off for the API");
        Assert.Equal("0", properties.GetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs").ToString());
    }

    [Fact]
    public async Task Zero_calls_start_without_a_warm_up_and_a_negative_number_stops_start_up_with_the_key()
    {
        var postgres = await PostgresServer.SharedAsync();
        var database = await postgres.CreateDatabaseAsync();
        await using (var api = await ApiProcess.StartAsync(database))
        {
            Assert.DoesNotContain(api.LogLines, line => line.Contains(WarmedUp, StringComparison.Ordinal));
        }

        var (exitCode, refused) = await ApiProcess.RunToExitAsync(database,
            new Dictionary<string, string?> { [TrainingPlatform.Api.Http.WarmUp.CallsKey] = "-1" }, TimeSpan.FromSeconds(60));
        await using (refused)
        {
            Assert.NotEqual(0, exitCode);
            Assert.Contains("WarmUp:Calls is -1", refused.Output, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"(\d+) requests through the pipeline")]
    private static partial Regex WarmUpRequests();
}
