namespace TrainingPlatform.Tests.ServiceDefaults;

public sealed class MetricsGateTests
{
    [Fact]
    public async Task Metrics_are_on_by_default_in_Development()
    {
        await using var host = await ServiceHost.StartAsync("Development");
        using var client = host.CreateClient();

        var metrics = await PrometheusText.ScrapeAsync(client);

        Assert.Contains("# TYPE http_requests_in_flight gauge", metrics.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_instance_label_every_series_names_its_process()
    {
        await using var host = await ServiceHost.StartAsync("Development", new Dictionary<string, string?> { ["Metrics:InstanceLabel"] = "true" });
        using var client = host.CreateClient();
        await client.GetAsync("/no-such-page");

        var scrape = await PrometheusText.ScrapeUntilAsync(client, m => m.ValueOrZero(HttpMeasures.RequestsTotal) >= 1, TimeSpan.FromSeconds(10));
        var series = scrape.Text.Split('\n')
            .Where(line => line.Length > 0 && !line.StartsWith('#')).ToList();

        Assert.Contains(series, line => line.StartsWith("http_requests_total{", StringComparison.Ordinal));
        Assert.All(series, line => Assert.Contains($"service_instance_id=\"{Environment.MachineName}\"", line, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Production", null, null)]
    [InlineData("Development", "false", null)]
    [InlineData("Development", null, "false")]
    [InlineData("Staging", null, null)]
    public async Task Metrics_off_answer_exactly_like_an_unknown_path(string environment, string? environmentVariable, string? configuration)
    {
        await using var host = await ServiceHost.StartAsync(environment, new Dictionary<string, string?>
        {
            ["METRICS_ENABLED"] = environmentVariable,
            ["Metrics:Enabled"] = configuration,
        });
        using var client = host.CreateClient();

        foreach (var path in new[] { "/metrics", "/metrics/" })
        {
            using var metrics = await client.GetAsync(path);
            using var unknown = await client.GetAsync("/metricz");
            Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
            Assert.Equal(Comparable(unknown), Comparable(metrics));
            Assert.Equal(WithoutIds(await unknown.Content.ReadAsStringAsync()), WithoutIds(await metrics.Content.ReadAsStringAsync()));
        }
    }

    [Fact]
    public async Task METRICS_ENABLED_turns_metrics_on_outside_Development()
    {
        await using var host = await ServiceHost.StartAsync("Production", new Dictionary<string, string?> { ["METRICS_ENABLED"] = "true" });
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/metrics/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metrics_port_serves_metrics_there_only_and_its_scrapes_are_not_counted()
    {
        var port = FreePort.Next();
        await using var host = await ServiceHost.StartAsync("Production", new Dictionary<string, string?>
        {
            ["Metrics:Enabled"] = "true",
            ["Metrics:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = host.CreateClient();
        Assert.NotNull(host.MetricsAddress);

        using var publicScrape = await client.GetAsync("/metrics");
        using var publicPost = await client.PostAsync("/metrics", null);
        await client.GetAsync("/ok");
        // The three answers are counted just after they are sent; the scrapes themselves are never counted.
        var internalScrape = await PrometheusText.ScrapeUntilAsync(client, m => m.ValueOrZero(HttpMeasures.RequestsTotal) >= 3, TimeSpan.FromSeconds(10),
            host.MetricsAddress);

        Assert.Equal(HttpStatusCode.NotFound, publicScrape.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, publicPost.StatusCode);
        Assert.Equal(1, internalScrape.Value(HttpMeasures.RequestsTotal, ("path_template", "/ok")));
        Assert.DoesNotContain(internalScrape.Named(HttpMeasures.RequestsTotal), sample => sample.Labels["path_template"].Contains("metrics", StringComparison.Ordinal));
        Assert.Equal(2, internalScrape.Value(HttpMeasures.RequestsTotal, ("path_template", HttpMeasures.Unmatched), ("status_code", "404")));
        Assert.Equal(3, internalScrape.Value(HttpMeasures.RequestsTotal));
    }

    private static (HttpStatusCode, string?, string) Comparable(HttpResponseMessage response) =>
        (response.StatusCode, response.Content.Headers.ContentType?.ToString(),
            string.Join(',', response.Headers.Select(header => header.Key).Where(key => key is not "Date" and not RequestId.HeaderName).Order()));

    private static string WithoutIds(string problem)
    {
        var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(problem)!;
        body.Remove("requestId");
        body.Remove("traceId");
        return JsonSerializer.Serialize(body.OrderBy(pair => pair.Key));
    }
}
