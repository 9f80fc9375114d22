using System.Text;

namespace TrainingPlatform.Slo;

/// <summary>ops/prometheus/rules/slo-recording.yml and slo-alerts.yml, written from the spec.</summary>
public static class RuleFiles
{
    public const string RecordingFile = "ops/prometheus/rules/slo-recording.yml";
    public const string AlertsFile = "ops/prometheus/rules/slo-alerts.yml";
    public const string ExhaustedAlert = "ErrorBudgetExhausted";
    public const string AbsentAlert = "SLOMetricAbsent";

    public static string Recording(SloSpec spec)
    {
        var yaml = new StringBuilder(Generated.Header("#"));
        yaml.Append($"""
            # SLO recording rules (Sloth/Pyrra naming: level:metric:operation), told apart by the label `slo`; what each SLO
            # counts: ops/docs/slos.md. Each SLO records two 5m rates per service (bad and counted events); every window's
            # error ratio is built from those, so the long windows (up to {spec.Window}) cost a sum_over_time over one series per SLO
            # and service instead of a rate over every raw HTTP series. Only the `services` job counts, and not /metrics.
            groups:
              - name: slo-sli-rates
                rules:

            """);
        foreach (var slo in spec.Objectives)
        {
            yaml.Append($"      # {slo.Name}: {slo.Title}. Bad: {SloText.BadEvent(slo)}; counted: {SloText.CountedEvents(slo)}.\n");
            Record(yaml, Promql.BadRate, Promql.Bad(slo), ("slo", slo.Name));
            Record(yaml, Promql.ValidRate, Promql.Valid(slo), ("slo", slo.Name));
        }
        Record(yaml, $"{Promql.ErrorRatio}5m", $"{Promql.BadRate} / {Promql.ValidRate}");

        if (LowTrafficWindows(spec).Any())
        {
            yaml.Append("\n  # The low-traffic correction's counts: counted requests in each long window of a pair with a minimum.\n")
                .Append("  - name: slo-sli-requests\n    rules:\n");
            foreach (var window in LowTrafficWindows(spec))
            {
                foreach (var slo in spec.Objectives)
                {
                    Record(yaml, Promql.RequestsRecord(window), Promql.RequestsIn(slo, window), ("slo", slo.Name));
                }
            }
        }

        yaml.Append("\n  - name: slo-sli-windows\n    rules:\n");
        foreach (var window in Promql.Windows.Skip(1))
        {
            Record(yaml, $"{Promql.ErrorRatio}{window}", $"sum_over_time({Promql.BadRate}[{window}]) / sum_over_time({Promql.ValidRate}[{window}])");
        }

        yaml.Append("\n  - name: slo-objectives\n    rules:\n");
        foreach (var slo in spec.Objectives)
        {
            Record(yaml, Promql.ObjectiveRatio, $"vector({SloText.Number(slo.ObjectiveRatio)})", ("slo", slo.Name));
        }
        Record(yaml, Promql.BudgetRatio, $"1 - {Promql.ObjectiveRatio}");
        yaml.Append($"      # 1 = the whole {spec.Window} budget left, 0 = spent, below 0 = SLO missed.\n");
        Record(yaml, Promql.BudgetRemaining, $"1 - ({Promql.ErrorRatio}{spec.Window} / on (slo) group_left () {Promql.BudgetRatio})");
        return yaml.ToString();
    }

    public static string Alerts(SloSpec spec)
    {
        var yaml = new StringBuilder(Generated.Header("#"));
        yaml.Append($"""
            # SLO alerts. Routing (ops/alertmanager/alertmanager.yml): severity=critical pages, severity=warning opens a ticket;
            # a page about an SLO inhibits the ticket about the same slo and service. Runbooks: ops/docs/runbooks.md.
            #
            # Multi-window, multi-burn-rate alerts (Google SRE workbook, "Alerting on SLOs"): a burn rate of 1 spends the
            # {spec.Window} budget in exactly {spec.WindowDays} days; each pair needs both windows burning, so an alert stops soon after
            # the burn does. Low traffic: a page pair also needs at least {spec.Alerting.Page.MinRequests} counted requests in its long
            # window (ops/slo/README.md), so one failure among a handful of requests pages nobody.
            groups:
              - name: slo-burn-rate
                rules:

            """);
        foreach (var slo in spec.Objectives)
        {
            foreach (var policy in spec.Alerting.Burns)
            {
                var pairs = policy.Windows.Select(w => string.Join('\n', new[]
                {
                    "(",
                    $"  {Promql.Ratio(slo, w.Long)} > on (slo) group_left () ({SloText.Number(w.Burn)} * {Promql.BudgetRatio})",
                    "  and",
                    $"  {Promql.Ratio(slo, w.Short)} > on (slo) group_left () ({SloText.Number(w.Burn)} * {Promql.BudgetRatio})",
                }.Concat(policy.MinRequests is { } minimum
                    ? ["  and on (service, slo)", $"  {Promql.RequestsRecord(w.Long)}{{slo=\"{slo.Name}\"}} >= {minimum}"]
                    : []).Append(")")));
                Alert(yaml, slo.BurnAlert(policy), string.Join("\nor\n", pairs), policy.For, policy.Severity,
                    SloText.BurnSummary(slo, policy), SloText.BurnDescription(spec, slo, policy));
            }
        }

        yaml.Append("\n  - name: slo-budget\n    rules:\n");
        foreach (var slo in spec.Objectives)
        {
            Alert(yaml, ExhaustedAlert, $"{Promql.BudgetRemaining}{{slo=\"{slo.Name}\"}} <= 0", spec.Alerting.ExhaustedFor, "warning",
                SloText.ExhaustedSummary(spec, slo), SloText.ExhaustedDescription(spec, slo), slo.Name);
        }

        yaml.Append("\n  - name: slo-absent\n    rules:\n");
        foreach (var slo in spec.Objectives)
        {
            Alert(yaml, AbsentAlert, $"absent({Promql.Ratio(slo, "5m")})\nand on ()\n({Promql.Valid(slo, "sum")} > 0)",
                spec.Alerting.AbsentFor, "warning", SloText.AbsentSummary(slo), SloText.AbsentDescription(slo), slo.Name);
        }
        return yaml.ToString();
    }

    /// <summary>The long windows of the pairs that need a minimum of requests.</summary>
    public static IEnumerable<string> LowTrafficWindows(SloSpec spec) =>
        spec.Alerting.Burns.Where(policy => policy.MinRequests is not null).SelectMany(policy => policy.Windows).Select(w => w.Long).Distinct();

    private static void Record(StringBuilder yaml, string record, string expression, params (string Name, string Value)[] labels)
    {
        yaml.Append($"      - record: {record}\n        expr: {Expression(expression)}");
        if (labels.Length > 0)
        {
            yaml.Append("        labels:\n");
            foreach (var (name, value) in labels)
            {
                yaml.Append($"          {name}: {value}\n");
            }
        }
    }

    /// <summary>An alert; <paramref name="slo"/> labels the alerts one name has for every SLO (promtool's lint wants them told apart).</summary>
    private static void Alert(StringBuilder yaml, string name, string expression, string wait, string severity, string summary, string description,
        string? slo = null)
    {
        yaml.Append($"      - alert: {name}\n")
            .Append($"        expr: {Expression(expression)}")
            .Append($"        for: {wait}\n")
            .Append($"        labels:\n          severity: {severity}\n")
            .Append(slo is null ? "" : $"          slo: {slo}\n")
            .Append($"        annotations:\n")
            .Append($"          summary: \"{summary}\"\n")
            .Append($"          description: \"{description}\"\n")
            .Append($"          runbook_url: \"{SloText.RunbookUrl(name)}\"\n\n");
    }

    /// <summary>A one-line expression inline, a longer one as a literal block.</summary>
    private static string Expression(string expression) => expression.Contains('\n')
        ? "|\n" + string.Concat(expression.Split('\n').Select(line => line.Length == 0 ? "\n" : $"          {line}\n"))
        : expression + "\n";
}
