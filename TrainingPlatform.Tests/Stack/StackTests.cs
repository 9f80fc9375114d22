using System.Net;
using System.Text.Json;
using Aspire.Hosting.Testing;

namespace TrainingPlatform.Tests.Stack;

public class StackTests(StackFixture stack) : IClassFixture<StackFixture>
{
    [Fact]
    public async Task The_api_is_healthy_and_reaches_its_database()
    {
        using var client = stack.App.CreateHttpClient("api", "http");

        var response = await client.GetAsync("/healthz", StackFixture.Timeout(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Contains(checks.EnumerateObject(), c => c.Name.Contains("postgres", StringComparison.OrdinalIgnoreCase) && c.Value.GetString() == "Healthy");
    }

    [Fact]
    public async Task Prometheus_scrapes_the_api_and_probes_its_health()
    {
        using var prometheus = stack.App.CreateHttpClient("prometheus", "http");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        string[] health = [];
        while (DateTime.UtcNow < deadline)
        {
            using var targets = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/targets", StackFixture.Timeout(10)));
            health = targets.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                .Where(t => t.GetProperty("labels").TryGetProperty("service", out var s) && s.GetString() == "api")
                .Select(t => $"{t.GetProperty("labels").GetProperty("job").GetString()}={t.GetProperty("health").GetString()}")
                .Order()
                .ToArray();
            if (health is ["blackbox=up", "services=up"])
            {
                break;
            }
            await Task.Delay(1000);
        }

        Assert.Equal(["blackbox=up", "services=up"], health);
    }
}
