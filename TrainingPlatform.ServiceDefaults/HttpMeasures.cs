namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// What the service measures about HTTP, in one place: the Prometheus collectors (ServiceMetrics) and the
/// OpenTelemetry view the dashboard shows (Telemetry) both read their names and buckets from here.
/// </summary>
public static class HttpMeasures
{
    public const string RequestDuration = "http_request_duration_seconds";
    public const string RequestsTotal = "http_requests_total";
    public const string ServerErrorsTotal = "http_server_errors_total";
    public const string RequestsInFlight = "http_requests_in_flight";
    public const string SecurityEventsTotal = "security_events_total";
    public const string AccessLogDroppedTotal = "access_log_dropped_total";

    /// <summary>ASP.NET Core's own histogram, exported over OTLP to the dashboard with the same buckets.</summary>
    public const string OpenTelemetryRequestDuration = "http.server.request.duration";

    public static readonly string[] RequestLabels = ["method", "path_template", "status_code"];
    public static readonly string[] SecurityEventLabels = ["reason", "path_template"];

    /// <summary>Seconds. 0.5 is the latency SLO threshold, so it must be a bucket boundary.</summary>
    public static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The value of path_template for requests no endpoint matched, so junk paths share one series.</summary>
    public const string Unmatched = "unmatched";

    /// <summary>The value of method for anything that is not a standard HTTP method.</summary>
    public const string OtherMethod = "OTHER";
}
