using System.Globalization;
using System.Text;

namespace TrainingPlatform.Slo;

/// <summary>
/// The promtool cases that follow mechanically from the spec: per SLO, page and ticket fire between their thresholds
/// and stay quiet at half the budget's rate; budget-exhausted fires when it is overspent; SLOMetricAbsent when the
/// series are missing while the routes have traffic. Judgement cases are hand-written in ops/prometheus/tests/.
/// </summary>
public static class RuleTests
{
    public const string AlertsTestFile = "ops/prometheus/tests/slo-alerts.test.yml";
    public const string AbsentTestFile = "ops/prometheus/tests/slo-absent.test.yml";

    /// <summary>The route whole-API cases send their traffic to: one no journey's SLO covers.</summary>
    public static readonly Route WholeApiSample = new("GET", "/api/v1/courses/{id}");

    private const int RequestsPerMinute = 1000;
    private const int Minutes = 70;
    private const string Service = "api";

    public static IEnumerable<GeneratedFile> Files(SloSpec spec)
    {
        if (spec.Objectives.Any(o => o.Routes.Contains(WholeApiSample)))
        {
            throw new SloSpecException($"{WholeApiSample.Method} {WholeApiSample.PathTemplate} is in a journey's SLO: the generated whole-API cases need a route no journey covers");
        }
        yield return new(AlertsTestFile, AlertCases(spec));
        yield return new(AbsentTestFile, AbsentCases(spec));
    }

    private static string AlertCases(SloSpec spec)
    {
        var yaml = Start("""
            # The SLO alerts, case by case for every SLO of the spec: the page fires at 20 times the budget's rate, the
            # ticket between the ticket's and the page's burn rates, neither at half the budget's rate, and the budget
            # ticket once the budget is overspent. 1000 counted requests a minute (plus, for availability, 500 answers
            # 401 that count for nothing) on one route of the SLO. Run: promtool test rules ops/prometheus/tests/*.yml
            """, "../rules/slo-recording.yml", "../rules/slo-alerts.yml");
        var page = spec.Alerting.Page;
        var ticket = spec.Alerting.Ticket;
        foreach (var slo in spec.Objectives)
        {
            var pageRatio = Math.Min(1, 20 * slo.BudgetRatio);
            if (pageRatio / slo.BudgetRatio <= page.Windows.Max(w => w.Burn))
            {
                throw new SloSpecException($"SLO {slo.Name}: a budget of {SloText.Percent(slo.BudgetRatio)} % cannot burn fast enough to page");
            }
            var ticketRatio = slo.BudgetRatio * (ticket.Windows.Max(w => w.Burn) + page.Windows.Min(w => w.Burn)) / 2;

            Case(yaml, $"{slo.Name}: {Show(pageRatio)} of its requests bad, {SloText.Number(Math.Round(pageRatio / slo.BudgetRatio, 2))}x the budget's rate: pages.",
                Traffic(spec, slo, pageRatio), [(slo.BurnAlert(page), "15m", [Burn(spec, slo, page, pageRatio)])]);
            Case(yaml, $"{slo.Name}: {SloText.Number(Math.Round(ticketRatio / slo.BudgetRatio, 2))}x the budget's rate: a ticket, not a page.",
                Traffic(spec, slo, ticketRatio),
                [(slo.BurnAlert(ticket), "30m", [Burn(spec, slo, ticket, ticketRatio)]), (slo.BurnAlert(page), "30m", [])]);
            Case(yaml, $"{slo.Name}: half the budget's rate: neither page nor ticket, the budget holds, the SLO is measured.",
                Traffic(spec, slo, slo.BudgetRatio / 2),
                [
                    (slo.BurnAlert(page), "30m", []), (slo.BurnAlert(ticket), "30m", []), (RuleFiles.AbsentAlert, "30m", []),
                    (RuleFiles.ExhaustedAlert, "60m", Exhausted(spec, slo, slo.BudgetRatio / 2)),
                ]);
            Case(yaml, $"{slo.Name}: 1.5 times the budget's rate for an hour: the budget is overspent.",
                Traffic(spec, slo, 1.5 * slo.BudgetRatio), [(RuleFiles.ExhaustedAlert, "60m", Exhausted(spec, slo, 1.5 * slo.BudgetRatio))]);
            if (slo.Indicator == Indicator.Latency)
            {
                Case(yaml, $"{slo.Name}: the histogram has no {slo.Threshold} s bucket any more: the SLO is blind, and says so.",
                    Traffic(spec, slo, badRatio: 0, withBuckets: false),
                    [(RuleFiles.AbsentAlert, "15m", Affected(spec, slo).Select(Absent).ToList())]);
            }
        }
        return yaml.ToString();
    }

    private static string AbsentCases(SloSpec spec)
    {
        var yaml = Start("""
            # SLOMetricAbsent without the recording rules (a Prometheus whose rule files lost slo-recording.yml): every SLO
            # whose routes have traffic is blind, and says so; with no traffic at all, nothing fires.
            # Run: promtool test rules ops/prometheus/tests/*.yml
            """, "../rules/slo-alerts.yml");
        foreach (var slo in spec.Objectives)
        {
            Case(yaml, $"{slo.Name}: traffic, but no recorded ratio.", Traffic(spec, slo, 0),
                [(RuleFiles.AbsentAlert, "15m", Affected(spec, slo).Select(Absent).ToList())]);
        }
        Case(yaml, "No traffic at all: nothing is missing.",
            [("up{job=\"services\",instance=\"api:8080\",service=\"api\"}", $"1x{Minutes}")], [(RuleFiles.AbsentAlert, "15m", [])]);
        return yaml.ToString();
    }

    private sealed record Expected(IReadOnlyList<(string Name, string Value)> Labels, IReadOnlyList<(string Name, string Value)> Annotations);

    private static Expected Burn(SloSpec spec, Objective slo, BurnPolicy policy, double ratio) => new(
        [("severity", policy.Severity), ("service", Service), ("slo", slo.Name)],
        Annotations(SloText.BurnSummary(slo, policy), SloText.BurnDescription(spec, slo, policy, Show(ratio)), slo.BurnAlert(policy)));

    private static List<Expected> Exhausted(SloSpec spec, Objective slo, double ratio) =>
        Affected(spec, slo).Select(other => (other, left: 1 - ratio / other.BudgetRatio))
            .Where(pair => Math.Abs(pair.left) < 0.1
                ? throw new SloSpecException($"SLO {pair.other.Name}: a generated case lands too near the end of its budget to be decided")
                : pair.left < 0)
            .Select(pair => new Expected(
                [("severity", "warning"), ("service", Service), ("slo", pair.other.Name)],
                Annotations(SloText.ExhaustedSummary(spec, pair.other), SloText.ExhaustedDescription(spec, pair.other, Show(pair.left)), RuleFiles.ExhaustedAlert)))
            .ToList();

    private static Expected Absent(Objective slo) => new(
        [("severity", "warning"), ("slo", slo.Name)],
        Annotations(SloText.AbsentSummary(slo), SloText.AbsentDescription(slo), RuleFiles.AbsentAlert));

    private static List<(string Name, string Value)> Annotations(string summary, string description, string alert) =>
        [("summary", Rendered(summary)), ("description", Rendered(description)), ("runbook_url", SloText.RunbookUrl(alert))];

    /// <summary>The SLOs a request to <paramref name="slo"/>'s sample route counts for: those of its kind covering the route.</summary>
    private static IEnumerable<Objective> Affected(SloSpec spec, Objective slo) =>
        spec.Objectives.Where(o => o.Indicator == slo.Indicator && (o.AllRoutes || o.Routes.Contains(Sample(slo))));

    private static Route Sample(Objective slo) => slo.AllRoutes ? WholeApiSample : slo.Routes[0];

    /// <summary>
    /// The input series: <see cref="RequestsPerMinute"/> counted requests a minute on the SLO's sample route, a share
    /// <paramref name="badRatio"/> of them bad. Latency requests are either fast for every threshold of the spec or slow for all.
    /// </summary>
    private static List<(string Series, string Values)> Traffic(SloSpec spec, Objective slo, double badRatio, bool withBuckets = true)
    {
        var route = Sample(slo);
        string Labels(string status, string extra = "") =>
            $"{{job=\"services\",instance=\"api:8080\",service=\"{Service}\",method=\"{route.Method}\",path_template=\"{route.PathTemplate}\",status_code=\"{status}\"{extra}}}";
        var bad = RequestsPerMinute * badRatio;
        if (slo.Indicator == Indicator.Availability)
        {
            return
            [
                ($"{Promql.Requests}{Labels("200")}", Rising(RequestsPerMinute - bad)),
                ($"{Promql.Requests}{Labels("500")}", Rising(bad)),
                ($"{Promql.Requests}{Labels("401")}", Rising(RequestsPerMinute / 2)),
            ];
        }
        var series = new List<(string, string)> { ($"{Promql.DurationCount}{Labels("200")}", Rising(RequestsPerMinute)) };
        if (withBuckets)
        {
            series.AddRange(spec.Objectives.Where(o => o.Indicator == Indicator.Latency).Select(o => o.Threshold).Distinct()
                .Select(threshold => ($"{Promql.DurationBucket}{Labels("200", $",le=\"{threshold}\"")}", Rising(RequestsPerMinute - bad))));
        }
        return series;
    }

    private static string Rising(double perMinute) => $"0+{perMinute.ToString(CultureInfo.InvariantCulture)}x{Minutes}";

    /// <summary>A ratio as Prometheus's humanizePercentage prints it (%.4g of the percentage).</summary>
    private static string Show(double ratio) => (ratio * 100).ToString("G4", CultureInfo.InvariantCulture) + "%";

    private static string Rendered(string template) => template.Replace("{{ $labels.service }}", Service, StringComparison.Ordinal);

    private static StringBuilder Start(string comment, params string[] ruleFiles)
    {
        var yaml = new StringBuilder(Generated.Header("#")).Append(comment).Append("\nrule_files:\n");
        foreach (var file in ruleFiles)
        {
            yaml.Append($"  - {file}\n");
        }
        return yaml.Append("\nevaluation_interval: 1m\n\ntests:\n");
    }

    private static void Case(StringBuilder yaml, string comment, IEnumerable<(string Series, string Values)> input,
        IEnumerable<(string Alert, string At, IReadOnlyList<Expected> Alerts)> checks)
    {
        yaml.Append($"  # {comment}\n  - interval: 1m\n    input_series:\n");
        foreach (var (series, values) in input)
        {
            yaml.Append($"      - series: '{series}'\n        values: '{values}'\n");
        }
        yaml.Append("    alert_rule_test:\n");
        foreach (var (alert, at, alerts) in checks)
        {
            yaml.Append($"      - alertname: {alert}\n        eval_time: {at}\n");
            if (alerts.Count == 0)
            {
                yaml.Append("        exp_alerts: []\n");
                continue;
            }
            yaml.Append("        exp_alerts:\n");
            foreach (var expected in alerts)
            {
                yaml.Append("          - exp_labels:\n");
                foreach (var (name, value) in expected.Labels)
                {
                    yaml.Append($"              {name}: {value}\n");
                }
                yaml.Append("            exp_annotations:\n");
                foreach (var (name, value) in expected.Annotations)
                {
                    yaml.Append($"              {name}: \"{value}\"\n");
                }
            }
        }
        yaml.Append('\n');
    }
}
