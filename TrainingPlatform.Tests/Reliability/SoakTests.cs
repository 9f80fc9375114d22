using System.Collections.Concurrent;
using System.Globalization;
using TrainingPlatform.Tests.Api;
using TrainingPlatform.Tests.ServiceDefaults;
using Xunit.Abstractions;

namespace TrainingPlatform.Tests.Reliability;

/// <summary>
/// A sustained mixed workload (reads, writes, sign-ins) against the API process: no 5xx, memory flat after warm-up,
/// no new metric series. RELIABILITY_SOAK_SECONDS sets the measured period: 20 s by default, CI's short proof; long
/// soaks give minutes (ops/docs/reliability.md). It runs beside the other tests, not alone: nothing in it is bounded
/// in time, its rate is capped, and on a machine busy with other classes the workers only send fewer requests. In the
/// Reliability collection, which starts among the first (as a long class of its own it was drawn last in a suite run
/// and held up the end of the parallel phase by 40 s).
/// </summary>
[Collection(ReliabilityCollection.Name)]
public class SoakTests(ITestOutputHelper output)
{
    private const int Workers = 8;

    // A pause between a worker's requests caps the rate (a few hundred a second) so the soak does not starve tests
    // running beside it on a 2-core machine; a leak shows in volume over time, not in peak rate.
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(10);
    private const double AllowedGrowth = 0.10;
    // Long enough for the runtime to finish recompiling what the mix calls beyond the start-up warm-up's routes: with
    // tiered PGO each hot method passes an instrumented stage first, and the code it leaves behind is not growth.
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SampleWindow = TimeSpan.FromSeconds(5);

    private static TimeSpan Measured => TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_SOAK_SECONDS"), CultureInfo.InvariantCulture, out var seconds) ? seconds : 20);

    [Fact]
    public async Task A_sustained_mixed_workload_has_no_5xx_flat_memory_and_no_new_metric_series()
    {
        var postgres = await PostgresServer.SharedAsync();
        // The access log is turned down so a long soak does not collect a line per request in the test process.
        await using var api = await ApiProcess.StartAsync(await postgres.CreatePooledDatabaseAsync(),
            new Dictionary<string, string?>
            {
                ["Logging__LogLevel__TrainingPlatform.Access"] = "Warning",
                // As deployed: the start-up warm-up compiles the hot paths, so the memory after warm-up is the steady one.
                // Without its wait for the JIT to settle (up to 5 s of both cores in a test run): the soak's own warm-up
                // under load comes before the first memory sample.
                ["WarmUp__Calls"] = null,
                [TrainingPlatform.Api.Http.WarmUp.SettleSecondsKey] = "0",
            });
        var instructor = await api.RegisterAsync("instructor");
        var learner = await api.RegisterAsync();
        var course = await instructor.CreateCourseAsync(published: true, title: "Soak course");
        var lesson = await instructor.AddLessonAsync(course.Id, "Soak lesson");
        Assert.Equal(HttpStatusCode.Created, (await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/enroll", null)).StatusCode);
        using var anonymous = api.CreateHttpClient();

        Func<int, Task<HttpResponseMessage>>[] mix =
        [
            _ => anonymous.GetAsync("/api/v1/courses?limit=20"),
            _ => learner.Client.GetAsync("/api/v1/courses?limit=20&offset=10"),
            _ => anonymous.GetAsync($"/api/v1/courses/{course.Id}"),
            _ => anonymous.GetAsync($"/api/v1/courses/{course.Id}/lessons/{lesson.Id}"),
            n => instructor.Client.PostAsJsonAsync("/api/v1/courses", new { title = $"soak {n}", description = "load", published = n % 2 == 0 }),
            n => instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { description = $"revision {n}" }),
            _ => anonymous.PostAsJsonAsync("/api/v1/token", new { email = learner.Email, password = learner.Password }),
            _ => learner.Client.GetAsync("/api/v1/auth/me"),
            _ => learner.Client.GetAsync("/api/v1/enrollments"),
            _ => learner.Client.PostAsync($"/api/v1/courses/{course.Id}/lessons/{lesson.Id}/complete", null),
        ];
        var statuses = new ConcurrentDictionary<int, int>();
        var unexpected = new ConcurrentQueue<string>();
        var sent = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref sent);
                using var response = await mix[n % mix.Length](n);
                await response.Content.LoadIntoBufferAsync();
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, count) => count + 1);
                if (!response.IsSuccessStatusCode && unexpected.Count < 20)
                {
                    unexpected.Enqueue($"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {(int)response.StatusCode}");
                }
                await Task.Delay(Pause);
            }
        })).ToArray();

        await Task.Delay(WarmUp - SampleWindow);
        var warmMemory = await MedianResidentAsync(api);
        var warmSeries = await SeriesAsync(anonymous);
        var warmRequests = sent;
        await Task.Delay(Measured - SampleWindow);
        var endMemory = await MedianResidentAsync(api);
        var endSeries = await SeriesAsync(anonymous);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        output.WriteLine($"{sent} requests ({sent - warmRequests} in the measured {Measured.TotalSeconds:F0} s), statuses: " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        output.WriteLine($"resident memory after warm-up {warmMemory / 1048576.0:F1} MiB, at the end {endMemory / 1048576.0:F1} MiB " +
            $"({(endMemory - warmMemory) * 100.0 / warmMemory:+0.0;-0.0} %); metric series {warmSeries.Count} → {endSeries.Count}");
        Assert.Empty(unexpected);
        Assert.DoesNotContain(statuses.Keys, status => status >= 500);
        Assert.True(endMemory <= warmMemory * (1 + AllowedGrowth),
            $"resident memory grew from {warmMemory / 1048576.0:F1} MiB to {endMemory / 1048576.0:F1} MiB");
        Assert.Equal(warmSeries, endSeries);
    }

    // The median over a few seconds, so one garbage collection caught mid-way does not decide the comparison.
    private static async Task<long> MedianResidentAsync(ApiProcess api)
    {
        var samples = new List<long>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < SampleWindow)
        {
            samples.Add(api.ResidentBytes());
            await Task.Delay(250);
        }
        samples.Sort();
        return samples[samples.Count / 2];
    }

    private static async Task<SortedSet<string>> SeriesAsync(HttpClient client)
    {
        var metrics = await PrometheusText.ScrapeAsync(client);
        return new SortedSet<string>(metrics.Samples.Select(sample =>
            sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")) + "}"), StringComparer.Ordinal);
    }
}
