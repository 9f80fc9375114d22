using System.Globalization;

namespace TrainingPlatform.Slo;

/// <summary>How an SLO reads in prose: the same words in its alerts, its runbook Meaning, the docs and the pages.</summary>
public static class SloText
{
    public const string RunbookBase = "https://github.com/trainingplatform/trainingplatform/blob/main/ops/docs/runbooks.md#";

    public static string Percent(double ratio) => (ratio * 100).ToString("0.###", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    public static string RunbookUrl(string alert) => RunbookBase + alert.ToLowerInvariant();

    /// <summary>The requests an SLO counts, as a noun phrase: "requests", "POST /api/v1/upload requests".</summary>
    public static string Requests(Objective slo) =>
        slo.AllRoutes ? "requests" : Join(slo.Routes.Select(r => $"{r.Method} {r.PathTemplate}")) + " requests";

    /// <summary>What a bad event is: "answered with 5xx", "slower than 0.5 s".</summary>
    public static string BadEvent(Objective slo) =>
        slo.Indicator == Indicator.Availability ? "answered with 5xx" : $"slower than {slo.Threshold} s";

    public static string GoodEvent(Objective slo) =>
        slo.Indicator == Indicator.Availability ? "answered with a status other than 5xx" : $"finished within {slo.Threshold} s";

    public static string CountedEvents(Objective slo) => slo.Indicator == Indicator.Availability
        ? (slo.AllRoutes ? "every request except 4xx" : $"{Requests(slo)} except 4xx")
        : (slo.AllRoutes ? "every request" : $"every {Requests(slo).Replace(" requests", " request", StringComparison.Ordinal)}");

    public static string Routes(Objective slo) =>
        slo.AllRoutes ? "every route but `/metrics`" : Join(slo.Routes.Select(r => $"`{r.Method} {r.PathTemplate}`"));

    /// <summary>Burn pairs as prose: "≥ 14.4× (1h and 5m) or ≥ 6× (6h and 30m)".</summary>
    public static string Pairs(BurnPolicy policy) =>
        string.Join(" or ", policy.Windows.Select(w => $"≥ {Number(w.Burn)}× ({w.Long} and {w.Short})"));

    public static string BurnSummary(Objective slo, BurnPolicy policy) =>
        $"{{{{ $labels.service }}}} is burning the error budget of SLO {slo.Name} {(policy.Severity == "critical" ? "fast" : "steadily")}";

    /// <summary>The description, with <paramref name="value"/> in place of Prometheus's rendering of the alert's value.</summary>
    public static string BurnDescription(SloSpec spec, Objective slo, BurnPolicy policy, string value = "{{ $value | humanizePercentage }}")
    {
        var outlook = policy.Severity == "critical" ? "at this rate the budget is gone within days" : "the budget will not last the window";
        var measured = slo.Indicator == Indicator.Availability
            ? $"{{{{ $labels.service }}}} answers {value} of {Requests(slo)} (4xx excluded) with 5xx"
            : $"{value} of {{{{ $labels.service }}}} {Requests(slo)} take longer than {slo.Threshold} s";
        return $"{measured}; {outlook} ({Percent(slo.BudgetRatio)} % over {spec.WindowDays} days).";
    }

    public static string ExhaustedSummary(SloSpec spec, Objective slo) =>
        $"{{{{ $labels.service }}}} has spent the {spec.WindowDays}-day error budget of SLO {slo.Name}";

    public static string ExhaustedDescription(SloSpec spec, Objective slo, string value = "{{ $value | humanizePercentage }}") =>
        $"{{{{ $labels.service }}}} has {value} of the {spec.WindowDays}-day error budget of SLO {slo.Name} left (objective {Number(slo.ObjectivePercent)} %): " +
        "only fixes and rollbacks release until it is positive again.";

    public static string AbsentSummary(Objective slo) => $"SLO {slo.Name} is not measured";

    public static string AbsentDescription(Objective slo) =>
        $"Prometheus records no error ratio for SLO {slo.Name} while its {Requests(slo)} have traffic: its burn-rate alerts are blind.";

    /// <summary>The Meaning paragraph of a burn alert's runbook section.</summary>
    public static string BurnMeaning(SloSpec spec, Objective slo, BurnPolicy policy)
    {
        var consequence = policy.Severity == "critical"
            ? "Severity `critical`: it pages."
            : $"Severity `warning`: a ticket. Inhibited while [{slo.BurnAlert(spec.Alerting.Page)}](#{slo.BurnAlert(spec.Alerting.Page).ToLowerInvariant()}) pages for the same service.";
        var bad = slo.Indicator == Indicator.Availability ? "5xx answers" : $"requests {BadEvent(slo)}";
        return $"SLO `{slo.Name}` ({char.ToLowerInvariant(slo.Journey[0])}{slo.Journey[1..]}): {bad} spend its {spec.WindowDays}-day budget " +
               $"({Percent(slo.BudgetRatio)} % of {CountedEvents(slo)}) {Pairs(policy)} too fast" +
               (policy.MinRequests is { } minimum ? $", with at least {minimum} counted requests in the long window" : "") + $". {consequence}";
    }

    public static string ExhaustedMeaning(SloSpec spec) =>
        $"One SLO (label `slo`: {Join(spec.Objectives.Select(o => $"`{o.Name}`"))}) has spent its {spec.WindowDays}-day error budget: " +
        $"`{Promql.BudgetRemaining}` has been at or below 0 for {spec.Alerting.ExhaustedFor}. Severity `warning`: a ticket. " +
        "The error budget policy ([slos.md](slos.md#error-budget-policy)) applies: only fixes and rollbacks release until the budget is positive again.";

    public static string AbsentMeaning(SloSpec spec) =>
        $"One SLO (label `slo`: {Join(spec.Objectives.Select(o => $"`{o.Name}`"))}) has no recorded error ratio " +
        $"(`{Promql.ErrorRatio}5m`) while the requests it counts have traffic, for {spec.Alerting.AbsentFor}. Severity `warning`: a ticket. " +
        "Its burn-rate alerts cannot fire: the SLO is blind.";

    private static string Join(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= 1 ? string.Concat(list) : $"{string.Join(", ", list[..^1])} and {list[^1]}";
    }
}
