namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// From a request to its exemplar: a request under a trace the caller started (W3C traceparent, sampled), so the exemplar
/// to look for carries a known trace id, and the trace ids Prometheus stores as exemplars of a route's latency buckets.
/// </summary>
public static class Exemplars
{
    public static HttpRequestMessage TracedGet(string path, string traceId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        return request;
    }

    /// <summary>Prometheus's exemplar query for <paramref name="pathTemplate"/>'s latency buckets, from <paramref name="start"/> (Unix seconds) to a minute ahead.</summary>
    public static string QueryPath(string pathTemplate, long start) =>
        "/api/v1/query_exemplars?query=" + Uri.EscapeDataString($"{HttpMeasures.RequestDuration}_bucket{{path_template=\"{pathTemplate}\"}}")
        + $"&start={start}&end={DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds()}";

    /// <summary>The trace ids of every exemplar in the answer's <c>data</c>.</summary>
    public static List<string?> TraceIds(JsonElement data) => data.EnumerateArray()
        .SelectMany(series => series.GetProperty("exemplars").EnumerateArray())
        .Select(exemplar => exemplar.GetProperty("labels").GetProperty("trace_id").GetString())
        .ToList();
}
