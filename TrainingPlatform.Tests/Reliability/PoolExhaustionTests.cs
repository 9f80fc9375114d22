using TrainingPlatform.Tests.Api;
using TrainingPlatform.Tests.ServiceDefaults;
using Xunit.Abstractions;

namespace TrainingPlatform.Tests.Reliability;

[Collection(RunsAloneCollection.Name)]
public class PoolExhaustionTests(ITestOutputHelper output)
{
    // Maximum Pool Size=4: one connection for the multiplexed reads, three for transactions (DatabaseServices.Share).
    private const int Budget = 4;
    private const int Writers = 3;
    private const int Extra = 8;

    // The API's own pool wait (Timeout=3, added to the connection string) plus a wide margin for a loaded machine.
    private static readonly TimeSpan FailFastBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task With_every_transaction_connection_stalled_extra_writes_get_503_after_the_pool_wait_reads_carry_on_and_the_gauges_show_it()
    {
        var postgres = await PostgresServer.SharedAsync();
        // Statements wait on the lock as long as it is held: the pool's wait is what must bound the extra requests.
        var connectionString = new NpgsqlConnectionStringBuilder(await postgres.CreatePooledDatabaseAsync(Budget))
        {
            CommandTimeout = 120,
        }.ConnectionString;
        await using var api = await ApiProcess.StartAsync(connectionString);
        var instructor = await api.RegisterAsync("instructor");
        using var scraper = api.CreateHttpClient();

        await using var courses = await TableLock.TakeAsync(connectionString, "courses");
        var stalled = Enumerable.Range(0, Writers).Select(i => instructor.PostCourseAsync($"stalled {i}")).ToArray();
        await courses.WaitForWaitersAsync(Writers);

        var clock = Stopwatch.StartNew();
        var extra = Enumerable.Range(0, Extra).Select(i =>
            TimedResponse.SendAsync("write", null, clock, () => instructor.PostCourseAsync($"extra {i}"))).ToArray();
        var backlog = await ScrapeUntilAsync(scraper, m => m.ValueOrZero(HttpMeasures.RequestsInFlight) >= Writers + Extra);
        Assert.Equal(Writers, backlog.Value("db_pool_connections", ("pool", "writes"), ("state", "busy")));
        Assert.Equal(Writers, backlog.Value("db_pool_max_connections", ("pool", "writes")));
        // What the saturation alert computes, pool by pool: busy / max above 0.9.
        Assert.True(backlog.Value("db_pool_connections", ("pool", "writes"), ("state", "busy")) / backlog.Value("db_pool_max_connections", ("pool", "writes")) > 0.9);

        // Reads have connections of their own: while every transaction's connection is held, a read is answered (with a
        // single pool it would wait for one until the pool's Timeout and get a 503, as the extra writes do).
        var read = await TimedResponse.SendAsync("read", null, clock, () => instructor.Client.GetAsync("/api/v1/auth/me/"));
        output.WriteLine(read.ToString());
        Assert.Equal(HttpStatusCode.OK, read.Status);

        var answered = await Task.WhenAll(extra);
        output.WriteLine(string.Join(Environment.NewLine, answered));
        Assert.All(answered, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.Status));
        Assert.All(answered, r => Assert.Equal("application/problem+json", r.MediaType));
        Assert.All(answered, r => Assert.True(r.Elapsed < FailFastBound, $"waited too long for a connection: {r}"));
        Assert.All(stalled, write => Assert.False(write.IsCompleted, "the stalled writes still hold the pool"));

        // No pile-up: once the extras have their answer, only the stalled writes remain in flight.
        var after = await ScrapeUntilAsync(scraper, m => m.ValueOrZero(HttpMeasures.RequestsInFlight) <= Writers);
        Assert.Equal(Writers, after.Value(HttpMeasures.RequestsInFlight));
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
