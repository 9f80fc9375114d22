using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TrainingPlatform.Tests.ServiceDefaults;

public sealed class HealthTests
{
    [Fact]
    public async Task Healthz_reports_every_check_as_json_when_all_pass()
    {
        await using var host = await ServiceHost.StartAsync(configure: builder =>
            builder.Services.AddHealthChecks().AddCheck("database", () => HealthCheckResult.Healthy()));
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("self").GetString());
    }

    [Fact]
    public async Task Healthz_is_503_with_the_same_shape_when_the_database_does_not_answer()
    {
        await using var host = await ServiceHost.StartAsync(configure: builder =>
            builder.Services.AddHealthChecks().AddCheck("database", () => HealthCheckResult.Unhealthy("connection refused")));
        using var client = host.CreateClient();

        using var healthz = await client.GetAsync("/healthz");
        using var alive = await client.GetAsync("/alive");
        using var health = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthz.StatusCode);
        var body = await healthz.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("database").GetString());
        Assert.DoesNotContain("connection refused", body.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }

    [Fact]
    public async Task Health_and_alive_are_mapped_outside_Development()
    {
        await using var host = await ServiceHost.StartAsync("Production");
        using var client = host.CreateClient();

        using var health = await client.GetAsync("/health");
        using var alive = await client.GetAsync("/alive");

        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", await alive.Content.ReadAsStringAsync());
    }
}
