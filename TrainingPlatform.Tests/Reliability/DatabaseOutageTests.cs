using System.Collections.Concurrent;
using TrainingPlatform.Tests.ServiceDefaults;
using Xunit.Abstractions;

namespace TrainingPlatform.Tests.Reliability;

[Collection(RunsAloneCollection.Name)]
public class DatabaseOutageTests(ITestOutputHelper output)
{
    // A request must be answered, one way or the other, within this: no request hangs on a dead database.
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(10);
    private const int Workers = 6;

    [Fact]
    public async Task Postgres_stopping_under_load_is_fast_503s_then_recovery_without_a_restart_and_no_write_is_lost_or_half_done()
    {
        await using var postgres = await PostgresServer.StartNewAsync();
        var connectionString = await postgres.CreatePooledDatabaseAsync();
        await using var api = await ApiProcess.StartAsync(connectionString);
        var instructor = await api.RegisterAsync("instructor");
        using var probe = api.CreateHttpClient();

        var clock = Stopwatch.StartNew();
        var responses = new ConcurrentQueue<TimedResponse>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var title = $"outage {worker}-{i}";
                responses.Enqueue(await TimedResponse.SendAsync("write", title, clock,
                    () => instructor.Client.PostAsJsonAsync("/api/v1/courses", new { title, description = "written during the drill", published = true })));
                responses.Enqueue(await TimedResponse.SendAsync("read", null, clock, () => instructor.Client.GetAsync("/api/v1/courses?limit=5")));
            }
        })).ToArray();

        // Serving under load before the outage.
        await Wait.UntilAsync(() => responses.Count(r => r.Succeeded) >= 4 * Workers);
        await postgres.StopAsync();
        var down = clock.Elapsed;
        await Wait.UntilAsync(() => responses.Count(r => r.StartedAt > down && r.Status == HttpStatusCode.ServiceUnavailable) >= 2 * Workers);
        var health = await probe.GetAsync(Health.HealthzPath);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("\"status\":\"Unhealthy\"", await health.Content.ReadAsStringAsync());

        await postgres.StartAsync();
        var up = clock.Elapsed;
        // Serving normally: the failures stop, and plenty of reads and writes succeed after the last one.
        await Wait.UntilAsync(() =>
        {
            var seen = responses.ToList();
            var lastFailureEnd = seen.Where(r => !r.Succeeded).Select(r => r.StartedAt + r.Elapsed).DefaultIfEmpty().Max();
            return seen.Count(r => r.StartedAt > up && r.Succeeded) >= 4 * Workers
                && seen.Count(r => r.StartedAt > lastFailureEnd && r.Succeeded) >= 3 * Workers;
        }, RecoveryBound + AnswerBound, "serving normally after Postgres came back");
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.False(api.HasExited, "the API kept running through the outage");

        var all = responses.ToList();
        Assert.All(all, r => Assert.True(r.Elapsed < AnswerBound, $"answered too late: {r}"));
        Assert.All(all, r => Assert.True(r.Succeeded || r.Status == HttpStatusCode.ServiceUnavailable, $"neither success nor 503: {r} {r.Body}"));
        var failures = all.Where(r => !r.Succeeded).ToList();
        Assert.All(failures, r => Assert.Equal("application/problem+json", r.MediaType));
        Assert.All(failures, r => Assert.DoesNotContain("Npgsql", r.Body));
        Assert.Contains(failures, r => r.Kind == "read");
        Assert.Contains(failures, r => r.Kind == "write");
        var lastFailure = failures.Max(r => r.StartedAt + r.Elapsed);
        Assert.True(lastFailure - up < RecoveryBound, $"still failing {(lastFailure - up).TotalSeconds:F1} s after Postgres came back");
        Assert.True(all.Count(r => r.StartedAt > lastFailure && r.Succeeded) >= 2 * Workers, "serving normally after the last failure");

        output.WriteLine($"{all.Count} requests, {failures.Count} answered 503 (slowest {failures.Max(r => r.Elapsed).TotalMilliseconds:F0} ms), " +
            $"slowest overall {all.Max(r => r.Elapsed).TotalMilliseconds:F0} ms, last failure {(lastFailure - up).TotalSeconds:F1} s after Postgres was back");

        var metrics = await PrometheusText.ScrapeAsync(probe);
        Assert.Equal(failures.Count, metrics.Value(HttpMeasures.ServerErrorsTotal, ("path_template", "/api/v1/courses"), ("status_code", "503")));

        // Nothing lost, nothing half done: the rows are exactly the writes that were answered 2xx.
        var answeredCreated = all.Where(r => r.Kind == "write" && r.Succeeded).Select(r => r.Title!).Order().ToList();
        Assert.Equal(answeredCreated, await Rows.CourseTitlesAsync(connectionString));
    }
}
