using System.Text.Json.Nodes;

namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>One panel query of a dashboard, as written and as Grafana would send it to Prometheus.</summary>
internal sealed record PanelQuery(string Dashboard, string Panel, string Expression)
{
    public string Rendered => GrafanaDashboards.Substitute(Expression);
    public override string ToString() => $"{Dashboard} / {Panel}: {Rendered}";
}

/// <summary>The dashboard JSON files of ops/grafana/dashboards and the queries their panels make.</summary>
internal static partial class GrafanaDashboards
{
    public static IReadOnlyList<(string File, JsonObject Dashboard)> All() =>
        OpsFiles.DashboardFiles
            .Select(file => (Path.GetFileName(file), JsonNode.Parse(File.ReadAllText(file))!.AsObject()))
            .ToList();

    /// <summary>Every panel, rows' nested panels included, rows themselves left out.</summary>
    public static IEnumerable<JsonObject> Panels(JsonObject dashboard) =>
        (dashboard["panels"]?.AsArray() ?? [])
            .OfType<JsonObject>()
            .SelectMany(panel => new[] { panel }.Concat((panel["panels"]?.AsArray() ?? []).OfType<JsonObject>()))
            .Where(panel => (string?)panel["type"] != "row");

    public static IEnumerable<PanelQuery> Queries(string file, JsonObject dashboard) =>
        Panels(dashboard).SelectMany(panel => (panel["targets"]?.AsArray() ?? [])
            .OfType<JsonObject>()
            .Select(target => new PanelQuery(file, (string?)panel["title"] ?? "", (string?)target["expr"] ?? "")));

    /// <summary>The template variables of type query, as PromQL selectors: label_values(selector, label) → selector.</summary>
    public static IEnumerable<PanelQuery> VariableQueries(string file, JsonObject dashboard) =>
        (dashboard["templating"]?["list"]?.AsArray() ?? [])
            .OfType<JsonObject>()
            .Where(variable => (string?)variable["type"] == "query")
            .Select(variable => new PanelQuery(file, "variable " + (string?)variable["name"],
                LabelValues().Match((string?)variable["definition"] ?? "") is { Success: true } match
                    ? match.Groups["selector"].Value
                    : (string?)variable["definition"] ?? ""));

    /// <summary>
    /// Grafana's substitution: the built-in intervals for a 15 s scrape interval over a 1 h range, and
    /// every dashboard variable at its "All" value, the regex <c>.*</c>.
    /// </summary>
    public static string Substitute(string expression)
    {
        var withBuiltIns = BuiltIn().Replace(expression, match => match.Groups["name"].Value switch
        {
            "__rate_interval" => "1m",
            "__interval" => "15s",
            "__range" => "1h",
            var other => match.Value,
        });
        return Variable().Replace(withBuiltIns, ".*");
    }

    [GeneratedRegex(@"\$\{?(?<name>__rate_interval|__interval|__range)\}?")]
    private static partial Regex BuiltIn();

    [GeneratedRegex(@"\$\{[A-Za-z]\w*(:\w+)?\}|\$[A-Za-z]\w*")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^label_values\((?<selector>.+),\s*\w+\)$")]
    private static partial Regex LabelValues();
}
