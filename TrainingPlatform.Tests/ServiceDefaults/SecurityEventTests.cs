using Microsoft.Extensions.Logging;

namespace TrainingPlatform.Tests.ServiceDefaults;

public sealed class SecurityEventTests() : ServiceHostTest(MetricsOn)
{
    [Theory]
    [InlineData("GET", "/private", null, 401, "unauthorized", "/private")]
    [InlineData("GET", "/admin", "user-7", 403, "forbidden", "/admin")]
    [InlineData("GET", "/busy", null, 429, "rate_limited", "/busy")]
    [InlineData("POST", "/api/v1/auth/login", null, 400, "sensitive_4xx", "/api/v1/auth/login")]
    [InlineData("GET", "/api/v1/password/reset", null, 404, "sensitive_4xx", "unmatched")]
    [InlineData("POST", "/api/v1/upload/7", null, 404, "sensitive_4xx", "/api/v1/upload/{id}")]
    [InlineData("GET", "/API/V1/UPLOAD/x/y", null, 404, "sensitive_4xx", "unmatched")]
    public async Task Each_rule_logs_a_security_warning_and_counts_it(string method, string path, string? user, int status, string reason, string pathTemplate)
    {
        var requestId = $"security-{reason}-{status}";
        using var request = new HttpRequestMessage(new HttpMethod(method), path + "?token=secret-token-value");
        request.Headers.Add(RequestId.HeaderName, requestId);
        if (user is not null)
        {
            request.Headers.Add(ServiceHost.UserHeader, user);
        }

        using var response = await Client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        var warning = Assert.Single(await Host.Logs.WaitForAsync(log => log.Category == "security" && Equals(log["request_id"], requestId)));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(reason, warning["reason"]);
        Assert.Equal(method, warning["method"]);
        Assert.Equal(path, warning["path"]);
        Assert.Equal(status, warning["status_code"]);
        Assert.Equal(user ?? "anonymous", warning["user"]);
        Assert.Equal("127.0.0.1", warning["client_ip"]);
        Assert.IsType<double>(warning["duration_ms"]);
        Assert.DoesNotContain("secret-token-value", warning.Message, StringComparison.Ordinal);

        var metrics = await PrometheusText.ScrapeAsync(Client);
        Assert.Equal(1, metrics.Value(HttpMeasures.SecurityEventsTotal, ("reason", reason), ("path_template", pathTemplate)));
        Assert.Equal(1, metrics.Value(HttpMeasures.SecurityEventsTotal));
    }

    [Fact]
    public async Task Ordinary_responses_and_4xx_elsewhere_are_not_security_events()
    {
        await Client.GetAsync("/ok");
        await Client.GetAsync("/no/such/path");
        // Beside an audited route but not under it.
        await Client.GetAsync("/api/v1/uploads-report");
        using var authorised = new HttpRequestMessage(HttpMethod.Get, "/private");
        authorised.Headers.Add(ServiceHost.UserHeader, "user-1");
        await Client.SendAsync(authorised);
        await Host.Logs.WaitForAsync(log => log.Category == "TrainingPlatform.Access" && Equals(log["path"], "/private"));

        var metrics = await PrometheusText.ScrapeAsync(Client);

        Assert.DoesNotContain(Host.Logs.Records, log => log.Category == "security");
        Assert.Equal(0, metrics.ValueOrZero(HttpMeasures.SecurityEventsTotal));
    }

    [Fact]
    public async Task Operators_add_sensitive_prefixes_in_configuration()
    {
        await using var host = await ServiceHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Metrics:Enabled"] = "true",
            ["Audit:SensitivePathPrefixes:0"] = "/items/",
        });
        using var client = host.CreateClient();

        await client.GetAsync("/no/such/path");
        await client.PostAsync("/items/9", null);

        var warning = Assert.Single(await host.Logs.WaitForAsync(log => log.Category == "security"));
        Assert.Equal("/items/9", warning["path"]);
        Assert.Equal(405, warning["status_code"]);
    }

    [Fact]
    public async Task Repeated_failures_add_up_on_one_series()
    {
        for (var i = 0; i < 5; i++)
        {
            await Client.GetAsync("/private");
        }
        await Host.Logs.WaitForAsync(log => log.Category == "security" && Host.Logs.Records.Count(r => r.Category == "security") == 5);

        var metrics = await PrometheusText.ScrapeAsync(Client);

        var series = Assert.Single(metrics.Named(HttpMeasures.SecurityEventsTotal));
        Assert.Equal(5, series.Value);
    }
}
