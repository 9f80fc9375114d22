using StackExchange.Redis;
using TrainingPlatform.Tests.ServiceDefaults;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// A shared rate-limit store that does not answer: requests are still limited (in process memory), and the outage is
/// one security event, its log line pinned here as operators' searches and alerts read it. Once the store answers,
/// limits are shared again without a restart. A store that answers keeps no counter without an expiry and says
/// how long a refusal lasts.
/// </summary>
public class RateLimitStoreTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_unreachable_store_is_one_security_event_and_limits_go_on_in_memory()
    {
        var postgres = await PostgresServer.SharedAsync();
        await using var api = await ApiProcess.StartAsync(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            // Nothing listens there: the client never connects.
            ["ConnectionStrings:cache"] = $"127.0.0.1:{FreePort.Next()}",
            ["RateLimits:PermitLimit"] = "2",
        });
        using var client = api.CreateHttpClient();

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PostAsJsonAsync("/api/v1/token", new { email = $"nobody{i}@example.test", password = "whatever it is" });
            answers.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], answers);
        var metrics = await PrometheusText.ScrapeUntilAsync(client,
            m => m.Value(HttpMeasures.SecurityEventsTotal, ("reason", "rate_limit_store_unavailable")) >= 1, TimeSpan.FromSeconds(10));
        Assert.Equal(1, metrics.Value(HttpMeasures.SecurityEventsTotal, ("reason", "rate_limit_store_unavailable"), ("path_template", HttpMeasures.Unmatched)));
        Assert.True(metrics.Value("rate_limit_store_errors_total", ("policy", "token")) >= 3);

        static bool IsOutage(string line) => line.Contains("\"Category\":\"security\"", StringComparison.Ordinal)
            && line.Contains("rate_limit_store_unavailable", StringComparison.Ordinal);
        await Wait.UntilAsync(() => api.LogLines.Any(IsOutage), TimeSpan.FromSeconds(10), "the outage's log line");
        var line = Assert.Single(api.LogLines, IsOutage);
        // The whole line, as the JSON console writes it (no timestamp): refactoring the store must not change it.
        Assert.Equal(""""
            {"EventId":3,"LogLevel":"Warning","Category":"security","Message":"Security event rate_limit_store_unavailable: the shared rate-limit store failed (token: not connected ); limits fall back to per-process memory until it answers again","State":{"Message":"detail=,error=not connected,policy=token,reason=rate_limit_store_unavailable,{OriginalFormat}=Security event {reason}: the shared rate-limit store failed ({policy}: {error} {detail}); limits fall back to per-process memory until it answers again","detail":"","error":"not connected","policy":"token","reason":"rate_limit_store_unavailable","{OriginalFormat}":"Security event {reason}: the shared rate-limit store failed ({policy}: {error} {detail}); limits fall back to per-process memory until it answers again"}}
            """", line);
    }

    [Fact]
    public async Task A_store_that_comes_back_is_used_again_and_its_recovery_is_logged()
    {
        var port = FreePort.Next();
        var postgres = await PostgresServer.SharedAsync();
        await using var api = await ApiProcess.StartAsync(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = $"127.0.0.1:{port}",
        });
        using var client = api.CreateHttpClient();
        await SignInAsync(client);
        await Wait.UntilAsync(() => api.LogLines.Any(line => IsSecurity(line, "rate_limit_store_unavailable")), Bound, "the outage's log line");

        await using var store = await RedisServer.StartAsync(port: port);
        // The client reconnects in the background; the first decision after that goes to the store again.
        await Wait.UntilAsync(async () =>
        {
            await SignInAsync(client);
            return api.LogLines.Any(line => IsSecurity(line, "shared across replicas again"));
        }, Bound, "the recovery's log line");

        var line = Assert.Single(api.LogLines, l => IsSecurity(l, "shared across replicas again"));
        Assert.Equal(""""
            {"EventId":4,"LogLevel":"Information","Category":"security","Message":"The shared rate-limit store answers again; limits are shared across replicas again","State":{"Message":"{OriginalFormat}=The shared rate-limit store answers again; limits are shared across replicas again","{OriginalFormat}":"The shared rate-limit store answers again; limits are shared across replicas again"}}
            """", line);
    }

    [Fact]
    public async Task Every_counter_in_the_store_expires_even_one_whose_first_expiry_was_lost()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var api = await ApiServer.StartAsync(new Dictionary<string, string?>(ApiFixture.Settings)
        {
            ["ConnectionStrings:cache"] = redis.ConnectionString,
        });
        await RedisServer.WaitUntilConnectedAsync(api.Services);
        var store = api.Services.GetRequiredService<IConnectionMultiplexer>();
        // What a lost EXPIRE after the first INCR left behind: a guess counter with no expiry, a brake for ever.
        const string lost = "tp:counter:signin-failures:email:lost@example.test";
        await store.GetDatabase().StringSetAsync(lost, 1);
        using var client = api.CreateHttpClient();

        foreach (var email in new[] { "lost@example.test", "lost@example.test", "other@example.test" })
        {
            using var response = await client.PostAsJsonAsync("/api/v1/token", new { email, password = "whatever it is" });
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(3, (long)await store.GetDatabase().StringGetAsync(lost));
        var keys = store.GetServer(store.GetEndPoints()[0]).Keys(pattern: "*").ToList();
        Assert.Contains(keys, key => key.ToString().StartsWith("tp:counter:", StringComparison.Ordinal));
        Assert.Contains(keys, key => key.ToString().StartsWith("rl:fw:{tp:ratelimit:", StringComparison.Ordinal));
        foreach (var key in keys)
        {
            Assert.True(await store.GetDatabase().KeyTimeToLiveAsync(key) > TimeSpan.Zero, $"{key} has no expiry");
        }
    }

    [Fact]
    public async Task A_429_from_the_shared_store_says_how_much_of_the_window_is_left()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var api = await ApiServer.StartAsync(new Dictionary<string, string?>(ApiFixture.Settings)
        {
            ["ConnectionStrings:cache"] = redis.ConnectionString,
            ["RateLimits:PermitLimit"] = "1",
            ["RateLimits:WindowSeconds"] = "900",
        });
        await RedisServer.WaitUntilConnectedAsync(api.Services);
        using var client = api.CreateHttpClient();

        await SignInAsync(client);
        using var limited = await client.PostAsJsonAsync("/api/v1/token", new { email = "nobody@example.test", password = "whatever it is" });

        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(800), TimeSpan.FromSeconds(901));
    }

    private static async Task SignInAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/token", new { email = "nobody@example.test", password = "whatever it is" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static bool IsSecurity(string line, string text) =>
        line.Contains("\"Category\":\"security\"", StringComparison.Ordinal) && line.Contains(text, StringComparison.Ordinal);
}
