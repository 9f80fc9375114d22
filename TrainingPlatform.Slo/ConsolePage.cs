using System.Net;
using System.Text;

namespace TrainingPlatform.Slo;

/// <summary>
/// Prometheus's SLO console page (ops/prometheus/consoles/slo.html, served at /consoles/slo.html with the Debian
/// package's example console libraries): the SLO view of the local stack, where Grafana does not run. Per SLO its
/// objective, the budget left over the window, the burn rates the alerts judge and the counted requests; then the
/// API's latency percentiles. Each number cell carries the query it shows in <c>data-query</c>.
/// </summary>
public static class ConsolePage
{
    public const string File = "ops/prometheus/consoles/slo.html";
    public const string Path = "/consoles/slo.html";

    /// <summary>The burn windows the page shows: the long window of each alert pair a person reads first.</summary>
    public static readonly string[] BurnWindows = ["1h", "6h", "3d"];

    public static readonly double[] Percentiles = [0.5, 0.95, 0.99];

    /// <summary>The query behind an SLO's "budget left" number: a percentage.</summary>
    public static string BudgetQuery(SloSpec spec, Objective slo) => $"100 * {Promql.BudgetRemaining}{Selector(spec, slo)}";

    public static string Content(SloSpec spec)
    {
        var page = new StringBuilder(Generated.Header("{{/*").TrimEnd() + " */}}\n");
        page.Append($$$"""
            <!doctype html>
            <html lang="en">
            <head>
            <title>TrainingPlatform SLOs</title>
            {{ template "prom_console_head" }}
            </head>
            <body>
            <div class="container-fluid">
            <h1>TrainingPlatform SLOs</h1>
            <p>Service <code>{{{spec.Service}}}</code>, window {{{spec.WindowDays}}} days. Error budget policy: {{{Policy(spec)}}} (ops/docs/slos.md).
            Burn rate 1 spends the budget in exactly {{{spec.WindowDays}}} days; pages at {{{Encode(SloText.Pairs(spec.Alerting.Page))}}}, tickets at {{{Encode(SloText.Pairs(spec.Alerting.Ticket))}}}.
            Alerts: <a href="{{ pathPrefix }}/alerts">Prometheus alerts</a>.</p>
            <table class="table table-sm table-bordered">
            <thead><tr><th>SLO</th><th>Journey</th><th>Objective</th><th>Error budget left ({{{spec.Window}}})</th>{{{string.Concat(BurnWindows.Select(w => $"<th>Burn {w}</th>"))}}}<th>Counted requests</th></tr></thead>
            <tbody>

            """);
        foreach (var slo in spec.Objectives)
        {
            page.Append($"<tr id=\"slo-{slo.Name}\">\n")
                .Append($"<td><code>{slo.Name}</code><br>{Encode(slo.Title)}</td>\n")
                .Append($"<td>{Encode(slo.Journey)}: {Encode(SloText.CountedEvents(slo))}, good when {Encode(SloText.GoodEvent(slo))}</td>\n")
                .Append($"<td>{SloText.Number(slo.ObjectivePercent)} %</td>\n")
                .Append(Cell($"budget-{slo.Name}", BudgetQuery(spec, slo), "%.1f %%"));
            foreach (var window in BurnWindows)
            {
                page.Append(Cell($"burn-{window}-{slo.Name}", Promql.BurnRate(slo, window, $", service=\"{spec.Service}\""), "%.2f×"));
            }
            page.Append(Cell($"requests-{slo.Name}", $"{Promql.ValidRate}{Selector(spec, slo)}", "%.3g/s"))
                .Append("</tr>\n");
        }
        page.Append("</tbody>\n</table>\n<h2>API latency</h2>\n<table class=\"table table-sm table-bordered\">\n<thead><tr><th>route</th>");
        page.Append(string.Concat(Percentiles.Select(p => $"<th>p{p * 100}</th>"))).Append("</tr></thead>\n<tbody>\n<tr><td>every route</td>\n");
        foreach (var percentile in Percentiles)
        {
            page.Append(Cell($"latency-p{percentile * 100}", Latency(spec, percentile, "le"), "%.3f s"));
        }
        page.Append("</tr>\n");
        // One row per route with traffic, its p95: where the time goes.
        page.Append($$$"""
            {{ range query `{{{Latency(spec, 0.95, "path_template, le")}}}` | sortByLabel "path_template" }}
            <tr><td><code>{{ .Labels.path_template }}</code></td><td></td><td>{{ .Value | printf "%.3f s" }} (p95)</td><td></td></tr>
            {{ end }}
            </tbody>
            </table>
            </div>
            {{ template "tail" }}

            """);
        return page.ToString();
    }

    private static string Latency(SloSpec spec, double percentile, string by) =>
        $"histogram_quantile({SloText.Number(percentile)}, sum by ({by}) (rate({Promql.DurationBucket}{{job=\"services\", service=\"{spec.Service}\", path_template!=\"/metrics\"}}[5m])))";

    private static string Selector(SloSpec spec, Objective slo) => $"{{slo=\"{slo.Name}\", service=\"{spec.Service}\"}}";

    /// <summary>A cell showing <paramref name="query"/>'s value as <paramref name="format"/>, or "no data".</summary>
    private static string Cell(string id, string query, string format) =>
        $"<td id=\"{id}\" data-query=\"{Encode(query)}\">{{{{ with query `{query}` }}}}{{{{ . | first | value | printf \"{format}\" }}}}{{{{ else }}}}no data{{{{ end }}}}</td>\n";

    private static string Policy(SloSpec spec) =>
        string.Join("; ", spec.Policy.Select(step => $"{SloText.Number(step.LeftPercent)} % or less left: {step.Step}"));

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
