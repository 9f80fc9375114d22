using System.Net;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

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

    [Fact]
    public async Task Back_up_now_on_the_dashboard_writes_a_verified_dump_into_the_stack()
    {
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();

        var result = await commands.ExecuteCommandAsync("training", "backup-now", StackFixture.Timeout(120));

        Assert.True(result.Success, result.Message);
        var dump = Assert.Single(Directory.GetFiles(Path.Combine(stack.DataDirectory, "backups"), "training-*.dump", SearchOption.AllDirectories));
        var recorded = (await File.ReadAllTextAsync(dump + ".sha256")).Split(' ')[0];
        await using var file = File.OpenRead(dump);
        Assert.Equal(recorded, Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(file)));
    }

    [Fact]
    public async Task Run_synthetic_check_on_the_dashboard_passes_on_the_running_api()
    {
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();

        var result = await commands.ExecuteCommandAsync("api", "synthetic-check", StackFixture.Timeout(120));

        Assert.True(result.Success, result.Message);
    }
}
