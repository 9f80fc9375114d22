using System.Globalization;
using System.Text.RegularExpressions;

namespace TrainingPlatform.Slo;

/// <summary>
/// The PromQL of an SLO: its events as rates of the services' HTTP metrics (http_requests_total and the histogram
/// http_request_duration_seconds, labels method, path_template, status_code), and the series the recording rules keep.
/// </summary>
public static partial class Promql
{
    public const string Requests = "http_requests_total";
    public const string DurationCount = "http_request_duration_seconds_count";
    public const string DurationBucket = "http_request_duration_seconds_bucket";

    /// <summary>The recorded series every window, alert, dashboard and the release gate read.</summary>
    public const string BadRate = "slo:sli_bad:rate5m";
    public const string ValidRate = "slo:sli_valid:rate5m";
    public const string ErrorRatio = "slo:sli_error:ratio_rate";
    public const string ObjectiveRatio = "slo:objective:ratio";
    public const string BudgetRatio = "slo:error_budget:ratio";
    public const string BudgetRemaining = "slo:error_budget_remaining:ratio30d";

    /// <summary>Every window a ratio is recorded for: the alerts' windows, and the budget's.</summary>
    public static readonly string[] Windows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"];

    /// <summary>Only the request-serving services count.</summary>
    private const string Scope = "job=\"services\"";

    /// <summary>Bad events per second, by service.</summary>
    public static string Bad(Objective slo) => slo.Indicator switch
    {
        // `or 0 * ...` keeps the series at 0 before the first 5xx exists.
        Indicator.Availability => $"{SumRate(slo, Requests, "status_code=~\"5..\"")}\nor\n0 * {SumRate(slo, Requests, null)}",
        _ => $"{SumRate(slo, DurationCount, null)}\n-\n{SumRate(slo, DurationBucket, $"le=\"{slo.Threshold}\"")}",
    };

    /// <summary>Counted ("valid") events per second, by service.</summary>
    public static string Valid(Objective slo, string by = "sum by (service)") => slo.Indicator switch
    {
        Indicator.Availability => SumRate(slo, Requests, "status_code!~\"4..\"", by),
        _ => SumRate(slo, DurationCount, null, by),
    };

    public static string Ratio(Objective slo, string window) => $"{ErrorRatio}{window}{{slo=\"{slo.Name}\"}}";

    /// <summary>The burn rate over <paramref name="window"/>: 1 spends the budget in exactly the SLO's window.</summary>
    public static string BurnRate(Objective slo, string window, string extraMatchers = "") =>
        $"{ErrorRatio}{window}{{slo=\"{slo.Name}\"{extraMatchers}}} / on (slo) group_left () {BudgetRatio}";

    /// <summary>The recorded count of counted requests within <paramref name="window"/>: what the low-traffic correction reads.</summary>
    public static string RequestsRecord(string window) => $"slo:sli_valid:increase{window}";

    /// <summary>
    /// Counted requests within <paramref name="window"/>, by service, from the raw counters: a recorded 5-minute rate would
    /// have to be extrapolated over a window it has not filled yet, and a handful of requests would count as dozens.
    /// </summary>
    public static string RequestsIn(Objective slo, string window) => slo.Indicator switch
    {
        Indicator.Availability => Sum(slo, Requests, "status_code!~\"4..\"", "sum by (service)", "increase", window),
        _ => Sum(slo, DurationCount, null, "sum by (service)", "increase", window),
    };

    /// <summary>The route matchers the SLO adds to every selector, one selector per method; none for the whole API.</summary>
    public static IReadOnlyList<string> RouteMatchers(Objective slo) =>
        // The whole API leaves out only Prometheus's scrapes of /metrics: the monitoring's own traffic.
        slo.AllRoutes ? [", path_template!=\"/metrics\""]
        : slo.Routes.GroupBy(route => route.Method).Select(group =>
        {
            var paths = group.Select(route => route.PathTemplate).ToList();
            var path = paths.Count == 1
                ? $"path_template=\"{paths[0]}\""
                : $"path_template=~\"{string.Join('|', paths.Select(RegexLiteral))}\"";
            return $", method=\"{group.Key}\", {path}";
        }).ToList();

    public static long Seconds(string duration)
    {
        var amount = long.Parse(duration[..^1], CultureInfo.InvariantCulture);
        return duration[^1] switch
        {
            's' => amount,
            'm' => amount * 60,
            'h' => amount * 3600,
            _ => amount * 86400,
        };
    }

    private static string SumRate(Objective slo, string metric, string? matcher, string by = "sum by (service)") =>
        Sum(slo, metric, matcher, by, "rate", "5m");

    private static string Sum(Objective slo, string metric, string? matcher, string by, string function, string window)
    {
        var extra = matcher is null ? "" : ", " + matcher;
        var rates = RouteMatchers(slo).Select(routes => $"{function}({metric}{{{Scope}{routes}{extra}}}[{window}])").ToList();
        return $"{by} ({string.Join(" or ", rates)})";
    }

    // RE2 metacharacters escaped, the backslash doubled for PromQL's string.
    private static string RegexLiteral(string path) => RegexMeta().Replace(path, @"\\$0");

    [GeneratedRegex(@"[.+*?()|\[\]{}^$\\]")]
    private static partial Regex RegexMeta();
}
