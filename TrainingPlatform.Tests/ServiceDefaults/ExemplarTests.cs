using Microsoft.AspNetCore.Http;
using TrainingPlatform.Tests.Ops.Slo;

namespace TrainingPlatform.Tests.ServiceDefaults;

/// <summary>
/// A traced service exposes trace-id exemplars (OpenMetrics only), one per bucket and interval, and only for a recorded
/// trace. That Prometheus stores them and that their traces were exported: <see cref="ExemplarStorageTests"/>.
/// </summary>
// Alone: the traced host's OpenTelemetry tracer provider is a process-wide ActivityListener.
[Collection(RunsAloneCollection.Name)]
public sealed class ExemplarTests
{
    private const string OpenMetrics = "application/openmetrics-text; version=1.0.0";

    [Fact]
    public async Task Exemplars_appear_only_in_OpenMetrics()
    {
        await using var collector = await OtlpStandIn.StartAsync();
        await using var host = await TracedHostAsync(collector);
        using var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        for (var i = 0; i < 30; i++)
        {
            using var response = await client.GetAsync($"/items/{i}");
            response.EnsureSuccessStatusCode();
        }

        using var plain = await client.GetAsync("/metrics");
        using var openRequest = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        openRequest.Headers.TryAddWithoutValidation("Accept", OpenMetrics);
        using var open = await client.SendAsync(openRequest);

        Assert.StartsWith("text/plain", plain.Content.Headers.ContentType!.ToString());
        Assert.DoesNotContain("trace_id", await plain.Content.ReadAsStringAsync());
        Assert.StartsWith("application/openmetrics-text", open.Content.Headers.ContentType!.ToString());
        var exemplarLines = (await open.Content.ReadAsStringAsync()).Split('\n')
            .Where(line => line.StartsWith(HttpMeasures.RequestDuration + "_bucket", StringComparison.Ordinal)
                && line.Contains("/items/{id}", StringComparison.Ordinal)
                && line.Contains("# {trace_id=", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(exemplarLines);
    }

    [Fact]
    public async Task Only_an_observation_under_a_recorded_trace_gets_an_exemplar_and_a_bucket_takes_one_per_interval()
    {
        // ServiceMetrics directly: other tests' OpenTelemetry listeners are process-wide and would record any host's
        // requests, but Activity.Current is this test's own.
        var metrics = new ServiceMetrics();
        using (new Activity("sampled-out").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            metrics.Observe(null, "GET", 200, TimeSpan.FromMilliseconds(3));
        }
        Activity.Current = null;
        metrics.Observe(null, "GET", 200, TimeSpan.FromMilliseconds(30));
        using var recorded = new Activity("recorded").SetIdFormat(ActivityIdFormat.W3C).Start();
        recorded.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        metrics.Observe(null, "GET", 200, TimeSpan.FromMilliseconds(300));
        // A second recorded request (another trace) in the same bucket within the interval does not replace the first exemplar.
        Activity.Current = null;
        using (var later = new Activity("later").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            later.ActivityTraceFlags = ActivityTraceFlags.Recorded;
            Assert.NotEqual(recorded.TraceId, later.TraceId);
            metrics.Observe(null, "GET", 200, TimeSpan.FromMilliseconds(400));
        }

        var context = new DefaultHttpContext();
        context.Request.Headers.Accept = OpenMetrics;
        using var body = new MemoryStream();
        context.Response.Body = body;
        await metrics.WriteAsync(context.Response);

        Activity.Current = null;
        var exemplars = Encoding.UTF8.GetString(body.ToArray()).Split('\n').Where(line => line.Contains(" # {", StringComparison.Ordinal)).ToList();
        var exemplar = Assert.Single(exemplars);
        Assert.StartsWith(HttpMeasures.RequestDuration + "_bucket{", exemplar);
        Assert.Contains("le=\"0.5\"", exemplar);
        Assert.Contains($"trace_id=\"{recorded.TraceId.ToHexString()}\"", exemplar);
    }

    private static Task<ServiceHost> TracedHostAsync(OtlpStandIn collector) =>
        ServiceHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["Metrics:Enabled"] = "true",
        });
}
