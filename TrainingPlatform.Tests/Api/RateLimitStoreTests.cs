using TrainingPlatform.Tests.ServiceDefaults;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// A shared rate-limit store that does not answer: requests are still limited (in process memory), and the outage is
/// one security event, its log line pinned here as operators' searches and alerts read it.
/// </summary>
public class RateLimitStoreTests
{
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
}
