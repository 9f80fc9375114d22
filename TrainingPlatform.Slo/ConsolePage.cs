using System.Net;
using System.Text.RegularExpressions;

namespace TrainingPlatform.Slo;

/// <summary>
/// Prometheus's SLO console page (ops/prometheus/consoles/slo.html, served at /consoles/slo.html with the Debian
/// package's example console libraries): the SLO view of the local stack, where Grafana does not run. Per SLO its
/// objective, the budget left over the window, the burn rates the alerts judge and the counted requests; then the
/// API's latency percentiles. Each number cell carries the query it shows in <c>data-query</c>.
/// </summary>
public static partial class ConsolePage
{
    public const string File = "ops/prometheus/consoles/slo.html";
    public const string Path = "/consoles/slo.html";

    /// <summary>The burn windows the page shows: the long window of each alert pair a person reads first.</summary>
    public static readonly string[] BurnWindows = ["1h", "6h", "3d"];

    public static readonly double[] Percentiles = [0.5, 0.95, 0.99];

    /// <summary>The query behind an SLO's "budget left" number: a percentage.</summary>
    public static string BudgetQuery(SloSpec spec, Objective slo) => $"100 * {Promql.BudgetRemaining}{Selector(spec, slo)}";

    /// <summary>The page's HTML (an embedded resource), with a <c>$name$</c> hole for each part the spec decides.</summary>
    private const string Template = "ConsolePage.html";

    public static string Content(SloSpec spec) => Generated.Header("{{/*").TrimEnd() + " */}}\n" + Fill(new Dictionary<string, string>
    {
        ["service"] = spec.Service,
        ["windowDays"] = $"{spec.WindowDays}",
        ["policy"] = Policy(spec),
        ["pages"] = Encode(SloText.Pairs(spec.Alerting.Page)),
        ["tickets"] = Encode(SloText.Pairs(spec.Alerting.Ticket)),
        ["window"] = spec.Window,
        ["burnHeaders"] = string.Concat(BurnWindows.Select(w => $"<th>Burn {w}</th>")),
        ["sloRows"] = string.Join('\n', spec.Objectives.Select(slo => Row(spec, slo))),
        ["percentileHeaders"] = string.Concat(Percentiles.Select(p => $"<th>p{p * 100}</th>")),
        ["latencyCells"] = string.Join('\n', Percentiles.Select(p => Cell($"latency-p{p * 100}", Latency(spec, p, "le"), "%.3f s"))),
        // One row per route with traffic, its p95: where the time goes.
        ["routeLatencyQuery"] = Latency(spec, 0.95, "path_template, le"),
    });

    private static string Row(SloSpec spec, Objective slo) => string.Join('\n',
    [
        $"<tr id=\"slo-{slo.Name}\">",
        $"<td><code>{slo.Name}</code><br>{Encode(slo.Title)}</td>",
        $"<td>{Encode(slo.Journey)}: {Encode(SloText.CountedEvents(slo))}, good when {Encode(SloText.GoodEvent(slo))}</td>",
        $"<td>{SloText.Number(slo.ObjectivePercent)} %</td>",
        Cell($"budget-{slo.Name}", BudgetQuery(spec, slo), "%.1f %%"),
        .. BurnWindows.Select(window => Cell($"burn-{window}-{slo.Name}", Promql.BurnRate(slo, window, $", service=\"{spec.Service}\""), "%.2f×")),
        Cell($"requests-{slo.Name}", $"{Promql.ValidRate}{Selector(spec, slo)}", "%.3g/s"),
        "</tr>",
    ]);

    /// <summary><see cref="Template"/> with each <c>$name$</c> replaced by its value in <paramref name="values"/>.</summary>
    private static string Fill(Dictionary<string, string> values)
    {
        using var stream = typeof(ConsolePage).Assembly.GetManifestResourceStream(Template)
            ?? throw new InvalidOperationException($"{Template} is not embedded in {typeof(ConsolePage).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return Hole().Replace(reader.ReadToEnd(), hole => values.TryGetValue(hole.Groups["name"].Value, out var value)
            ? value
            : throw new InvalidOperationException($"{Template}: no value for {hole.Value}"));
    }

    [GeneratedRegex(@"\$(?<name>\w+)\$")]
    private static partial Regex Hole();

    private static string Latency(SloSpec spec, double percentile, string by) =>
        $"histogram_quantile({SloText.Number(percentile)}, sum by ({by}) (rate({Promql.DurationBucket}{{job=\"services\", service=\"{spec.Service}\", path_template!=\"/metrics\"}}[5m])))";

    private static string Selector(SloSpec spec, Objective slo) => $"{{slo=\"{slo.Name}\", service=\"{spec.Service}\"}}";

    /// <summary>A cell showing <paramref name="query"/>'s value as <paramref name="format"/>, or "no data".</summary>
    private static string Cell(string id, string query, string format) =>
        $"<td id=\"{id}\" data-query=\"{Encode(query)}\">{{{{ with query `{query}` }}}}{{{{ . | first | value | printf \"{format}\" }}}}{{{{ else }}}}no data{{{{ end }}}}</td>";

    private static string Policy(SloSpec spec) =>
        string.Join("; ", spec.Policy.Select(step => $"{SloText.Number(step.LeftPercent)} % or less left: {step.Step}"));

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
