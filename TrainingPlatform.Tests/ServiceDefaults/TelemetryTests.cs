namespace TrainingPlatform.Tests.ServiceDefaults;

// Alone: the traced host's OpenTelemetry tracer provider is a process-wide ActivityListener.
[Collection(RunsAloneCollection.Name)]
public sealed class TelemetryTests
{
    [Fact]
    public async Task With_an_OTLP_endpoint_requests_are_traced_and_measured_but_probes_and_scrapes_are_not_traced()
    {
        await using var collector = await OtlpStandIn.StartAsync();
        await using var host = await ServiceHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            // The log batch exporter waits 5 s by default; the access record is what this test waits for last.
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
            ["Metrics:Enabled"] = "true",
        });
        using var client = host.CreateClient();

        await SendAsync(client, "/healthz", "otlp-probe-healthz");
        await SendAsync(client, "/alive", "otlp-probe-alive");
        await SendAsync(client, "/metrics", "otlp-scrape");
        await SendAsync(client, "/items/3", "otlp-traced");

        var traces = await collector.WaitForAsync("/v1/traces", "otlp-traced");
        Assert.Contains("/items/{id}", traces, StringComparison.Ordinal);
        var allTraces = collector.Received("/v1/traces");
        Assert.DoesNotContain("otlp-probe-healthz", allTraces, StringComparison.Ordinal);
        Assert.DoesNotContain("otlp-probe-alive", allTraces, StringComparison.Ordinal);
        Assert.DoesNotContain("otlp-scrape", allTraces, StringComparison.Ordinal);
        await collector.WaitForAsync("/v1/metrics", "http.server.request.duration");
        await collector.WaitForAsync("/v1/logs", "TrainingPlatform.Access");
    }

    private static async Task SendAsync(HttpClient client, string path, string requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(RequestId.HeaderName, requestId);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}");
    }
}
