using System.Diagnostics.Metrics;
using TrainingPlatform.Api.Data;

namespace TrainingPlatform.Tests.Api;

// In parallel with the rest: the pool gauges read only their own API's pool (by its Npgsql pool name), and the
// outage is of a private server.
public class DatabaseTests
{
    [Fact]
    public async Task A_database_outage_is_a_503_with_retry_after_and_the_api_recovers()
    {
        await using var postgres = await PostgresServer.StartNewAsync();
        await using var api = await ApiServer.StartAsync(ApiFixture.Settings, postgres: postgres);
        using var client = api.CreateHttpClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/courses")).StatusCode);

        // A page the output cache has not seen: the first page may rightly still be served from it during an outage.
        const string uncached = "/api/v1/courses?offset=1";
        await postgres.StopAsync();
        foreach (var request in new Func<Task<HttpResponseMessage>>[]
        {
            () => client.GetAsync(uncached),
            () => client.PostAsJsonAsync("/api/v1/token", new { email = "a@example.test", password = "whatever it is" }),
        })
        {
            var response = await request();
            await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 should carry Retry-After");
        }

        await postgres.StartAsync();
        using var recovery = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await client.GetAsync(uncached, recovery.Token)).StatusCode != HttpStatusCode.OK)
        {
            await Task.Delay(200, recovery.Token);
        }
    }

    [Fact]
    public async Task Pool_gauges_report_idle_busy_and_max_connections_of_each_pool()
    {
        var postgres = await PostgresServer.SharedAsync();
        var pooled = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync()) { Pooling = true, MaxPoolSize = 7 };
        await using var api = await ApiServer.StartAsync(ApiFixture.Settings, postgres: postgres, connectionString: pooled.ConnectionString);
        using var client = api.CreateHttpClient();
        // A read (multiplexed) and a write (a transaction), so that both pools have opened a connection.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/courses")).StatusCode);
        await TestAccounts.RegisterAsync(client, "gauges@example.test");

        var scope = api.Services.GetRequiredService<IMeterFactory>();
        var readings = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "TrainingPlatform.Database" && instrument.Meter.Scope == scope)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var labels = tags.ToArray().ToDictionary(t => t.Key, t => t.Value as string);
            readings[$"{instrument.Name}{{{labels["pool"]}{(labels.TryGetValue("state", out var state) ? "," + state : "")}}}"] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();

        // The budget of 7 is shared as DatabaseServices.Share says: 1 for reads, 6 for transactions.
        Assert.Equal(1, readings["db.pool.max_connections{reads}"]);
        Assert.Equal(6, readings["db.pool.max_connections{writes}"]);
        foreach (var pool in new[] { "reads", "writes" })
        {
            Assert.Equal(0, readings[$"db.pool.connections{{{pool},busy}}"]);
            Assert.True(readings[$"db.pool.connections{{{pool},idle}}"] >= 1, $"the {pool} pool's connection is open and back in the pool");
        }
    }

    [Theory]
    [InlineData(2, 1, 1)]
    [InlineData(7, 1, 6)]
    [InlineData(8, 2, 6)]
    [InlineData(40, 10, 30)]
    public void A_budget_is_shared_between_multiplexed_reads_and_transactions_and_never_exceeded(int budget, int reads, int writes)
    {
        Assert.Equal((reads, writes), DatabaseServices.Share(budget));
        const string given = "Host=db;Username=api;Maximum Pool Size=40;Multiplexing=true";
        var forReads = new NpgsqlConnectionStringBuilder(DatabaseServices.ForReads(given, budget));
        var forWrites = new NpgsqlConnectionStringBuilder(DatabaseServices.ForWrites(given, budget));
        Assert.Equal((reads, true), (forReads.MaxPoolSize, forReads.Multiplexing));
        Assert.Equal((writes, false), (forWrites.MaxPoolSize, forWrites.Multiplexing));
    }

    [Fact]
    public void Without_a_budget_the_connection_strings_own_pool_size_is_shared()
    {
        Assert.Equal(3, new NpgsqlConnectionStringBuilder(DatabaseServices.ForWrites("Host=db;Maximum Pool Size=4", budget: null)).MaxPoolSize);
        Assert.Equal(DatabaseServices.Share(DatabaseServices.DefaultMaxPoolSize).Reads,
            new NpgsqlConnectionStringBuilder(DatabaseServices.ForReads("Host=db", budget: null)).MaxPoolSize);
    }

    [Fact]
    public void Without_pooling_reads_are_not_multiplexed()
    {
        Assert.False(new NpgsqlConnectionStringBuilder(DatabaseServices.ForReads("Host=db;Pooling=false", budget: 8)).Multiplexing);
    }

    [Fact]
    public void A_budget_below_two_is_refused_with_the_reason()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => DatabaseServices.ForReads("Host=db", budget: 1));
        Assert.Contains("at least 2", refused.Message);
        Assert.Contains(DatabaseServices.MaxPoolSizeKey, refused.Message);
    }
}
