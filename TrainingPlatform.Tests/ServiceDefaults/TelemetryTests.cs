using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TrainingPlatform.ServiceDefaults;

namespace TrainingPlatform.Tests.ServiceDefaults;

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
        await collector.WaitForAsync("/v1/metrics", HttpMeasures.OpenTelemetryRequestDuration);
        await collector.WaitForAsync("/v1/logs", "TrainingPlatform.Access");
    }

    private static async Task SendAsync(HttpClient client, string path, string requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(RequestId.HeaderName, requestId);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}");
    }

    /// <summary>An OTLP/HTTP collector on loopback that keeps each protobuf payload (its strings are readable as bytes).</summary>
    private sealed class OtlpStandIn : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, string Payload)> _payloads;

        private OtlpStandIn(WebApplication app, ConcurrentQueue<(string, string)> payloads)
        {
            _app = app;
            _payloads = payloads;
        }

        public string Endpoint => _app.Urls.First();

        public static async Task<OtlpStandIn> StartAsync()
        {
            var payloads = new ConcurrentQueue<(string, string)>();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapPost("/v1/{signal}", async (HttpRequest request) =>
            {
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer);
                payloads.Enqueue((request.Path.Value!, Encoding.Latin1.GetString(buffer.ToArray())));
                return Results.Ok();
            });
            await app.StartAsync();
            return new OtlpStandIn(app, payloads);
        }

        public string Received(string path) => string.Join("\n", _payloads.Where(p => p.Path == path).Select(p => p.Payload));

        public async Task<string> WaitForAsync(string path, string containing)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            while (!timeout.IsCancellationRequested)
            {
                if (_payloads.FirstOrDefault(p => p.Path == path && p.Payload.Contains(containing, StringComparison.Ordinal)) is { Payload: { } found })
                {
                    return found;
                }
                await Task.Delay(50);
            }
            throw new TimeoutException($"No {path} payload containing {containing} within 15 s; paths received: "
                + string.Join(", ", _payloads.Select(p => p.Path)));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
