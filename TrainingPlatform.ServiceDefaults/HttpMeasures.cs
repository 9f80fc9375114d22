namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// The names, labels and buckets of the HTTP series ServiceMetrics records on every request (the seed's four, the
/// security events and the access log's drops), for the exporter and the tests that read them.
/// </summary>
public static class HttpMeasures
{
    public const string RequestDuration = "http_request_duration_seconds";
    public const string RequestsTotal = "http_requests_total";
    public const string ServerErrorsTotal = "http_server_errors_total";
    public const string RequestsInFlight = "http_requests_in_flight";
    public const string SecurityEventsTotal = "security_events_total";
    public const string AccessLogDroppedTotal = "access_log_dropped_total";

    public static readonly string[] RequestLabels = ["method", "path_template", "status_code"];
    public static readonly string[] SecurityEventLabels = ["reason", "path_template"];

    /// <summary>Seconds. 0.5 is the latency SLO threshold, so it must be a bucket boundary.</summary>
    public static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The value of path_template for requests no endpoint matched, so junk paths share one series.</summary>
    public const string Unmatched = "unmatched";

    /// <summary>The value of method for anything that is not a standard HTTP method.</summary>
    public const string OtherMethod = "OTHER";
}
