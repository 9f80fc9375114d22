using TrainingPlatform.Tests.Ops.Slo;

namespace TrainingPlatform.Tests.ServiceDefaults;

/// <summary>
/// From a latency bucket to a trace on the API as deployed: Prometheus stores the exemplar the API exposes for a traced
/// request, and its trace id is one the API's OTLP exporter sent. The API runs as a process of its own, so its tracer
/// is not a listener of this test process and the class runs beside the others (<see cref="ExemplarTests"/> holds the
/// in-process cases, which must run alone).
/// </summary>
public sealed class ExemplarStorageTests
{
    [Fact]
    public async Task Prometheus_stores_the_API_s_exemplar_whose_trace_the_exporter_sent()
    {
        await using var collector = await OtlpStandIn.StartAsync();
        var postgres = await PostgresServer.SharedAsync();
        await using var api = await ApiProcess.StartAsync(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });
        var port = FreePort.Next();
        using var config = PrometheusConfigCopy.Render([new ScrapeTarget("api", api.BaseAddress.Authority)], [], port,
            new PrometheusClock(Interval: "1s", AlertFor: "1m"));
        await using var prometheus = await PrometheusServer.StartAsync(config, port);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var client = api.CreateHttpClient(TimeSpan.FromSeconds(10));
        var start = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();

        var found = await Wait.ForAsync(async () =>
        {
            // Each bucket keeps one exemplar per interval, so the request is sent again until one is scraped.
            using var request = Exemplars.TracedGet("/api/v1/courses/999999999", traceId);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var answer = await prometheus.GetAsync(Exemplars.QueryPath("/api/v1/courses/{id}", start));
            Assert.True(answer.IsSuccess, answer.Body.ToString());
            return Exemplars.TraceIds(answer.Data);
        }, ids => ids.Contains(traceId), TimeSpan.FromSeconds(45),
            ids => $"an exemplar with trace id {traceId}; found [{string.Join(", ", ids)}]\n{prometheus.Log}");

        Assert.Contains(traceId, found);
        // OTLP/protobuf carries the trace id as its 16 raw bytes.
        await collector.WaitForAsync("/v1/traces", Encoding.Latin1.GetString(Convert.FromHexString(traceId)));
    }
}
