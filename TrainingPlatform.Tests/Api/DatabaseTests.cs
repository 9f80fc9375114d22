using System.Diagnostics.Metrics;

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
    public async Task Pool_gauges_report_idle_busy_and_max_connections()
    {
        var postgres = await PostgresServer.SharedAsync();
        var pooled = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync()) { Pooling = true, MaxPoolSize = 7 };
        await using var api = await ApiServer.StartAsync(ApiFixture.Settings, postgres: postgres, connectionString: pooled.ConnectionString);
        using var client = api.CreateHttpClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/courses")).StatusCode);

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
            var state = tags.ToArray().FirstOrDefault(t => t.Key == "state").Value as string;
            readings[instrument.Name + (state is null ? "" : "{" + state + "}")] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(7, readings["db.pool.max_connections"]);
        Assert.Equal(0, readings["db.pool.connections{busy}"]);
        Assert.True(readings["db.pool.connections{idle}"] >= 1, "the request's connection went back to the pool");
    }
}
