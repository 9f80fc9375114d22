using TrainingPlatform.Tests.ServiceDefaults;
using Xunit.Abstractions;

namespace TrainingPlatform.Tests.Reliability;

[Collection(RunsAloneCollection.Name)]
public class PoolExhaustionTests(ITestOutputHelper output)
{
    private const int PoolSize = 3;
    private const int Extra = 8;

    // The API's own pool wait (Timeout=3, added to the connection string) plus a wide margin for a loaded machine.
    private static readonly TimeSpan FailFastBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task With_every_pooled_connection_stalled_extra_requests_get_503_after_the_pool_wait_and_the_gauges_show_it()
    {
        var postgres = await PostgresServer.SharedAsync();
        // Statements wait on the lock as long as it is held: the pool's wait is what must bound the extra requests.
        var connectionString = new NpgsqlConnectionStringBuilder(await postgres.CreatePooledDatabaseAsync(PoolSize))
        {
            CommandTimeout = 120,
        }.ConnectionString;
        await using var api = await ApiProcess.StartAsync(connectionString);
        var instructor = await api.RegisterAsync("instructor");
        using var scraper = api.CreateHttpClient();

        await using var courses = await TableLock.TakeAsync(connectionString, "courses");
        var stalled = Enumerable.Range(0, PoolSize).Select(i =>
            instructor.Client.PostAsJsonAsync("/api/v1/courses", new { title = $"stalled {i}", description = "", published = true })).ToArray();
        await courses.WaitForWaitersAsync(PoolSize);

        var clock = Stopwatch.StartNew();
        var extra = Enumerable.Range(0, Extra).Select(_ =>
            TimedResponse.SendAsync("read", null, clock, () => instructor.Client.GetAsync("/api/v1/courses"))).ToArray();
        var backlog = await ScrapeUntilAsync(scraper, m => m.ValueOrZero(HttpMeasures.RequestsInFlight) >= PoolSize + Extra);
        Assert.Equal(PoolSize, backlog.Value("db_pool_connections", ("state", "busy")));
        Assert.Equal(PoolSize, backlog.Value("db_pool_max_connections"));
        // What the saturation alert computes: busy / max above 0.9.
        Assert.True(backlog.Value("db_pool_connections", ("state", "busy")) / backlog.Value("db_pool_max_connections") > 0.9);

        var answered = await Task.WhenAll(extra);
        output.WriteLine(string.Join(Environment.NewLine, answered));
        Assert.All(answered, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.Status));
        Assert.All(answered, r => Assert.Equal("application/problem+json", r.MediaType));
        Assert.All(answered, r => Assert.True(r.Elapsed < FailFastBound, $"waited too long for a connection: {r}"));
        Assert.All(stalled, write => Assert.False(write.IsCompleted, "the stalled writes still hold the pool"));

        // No pile-up: once the extras have their answer, only the stalled writes remain in flight.
        var after = await ScrapeUntilAsync(scraper, m => m.ValueOrZero(HttpMeasures.RequestsInFlight) <= PoolSize);
        Assert.Equal(PoolSize, after.Value(HttpMeasures.RequestsInFlight));
        Assert.Equal(Extra, after.Value(HttpMeasures.ServerErrorsTotal, ("path_template", "/api/v1/courses"), ("status_code", "503")));

        await courses.ReleaseAsync();
        foreach (var write in stalled)
        {
            Assert.Equal(HttpStatusCode.Created, (await write).StatusCode);
        }
        // The audit closes a request just after its last byte is sent, so the gauges settle a moment after the answers.
        await ScrapeUntilAsync(scraper, m => m.ValueOrZero(HttpMeasures.RequestsInFlight) == 0 && m.ValueOrZero("db_pool_connections", ("state", "busy")) == 0);
        Assert.Equal(HttpStatusCode.OK, (await instructor.Client.GetAsync("/api/v1/courses")).StatusCode);
    }

    private static Task<PrometheusText> ScrapeUntilAsync(HttpClient client, Func<PrometheusText, bool> condition) =>
        PrometheusText.ScrapeUntilAsync(client, condition, TimeSpan.FromSeconds(10));
}
