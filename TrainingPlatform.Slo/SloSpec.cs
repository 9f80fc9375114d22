using System.Globalization;

namespace TrainingPlatform.Slo;

/// <summary>A route an SLO covers: the HTTP metrics' <c>method</c> and <c>path_template</c> labels.</summary>
public sealed record Route(string Method, string PathTemplate);

/// <summary>One pair of a multi-window burn-rate alert: fires when both windows burn at least <paramref name="Burn"/>×.</summary>
public sealed record BurnWindow(string Long, string Short, double Burn);

/// <summary>
/// The page or the ticket of an SLO: its windows, how long its condition must hold, and the fewest counted requests a
/// long window needs before it may fire (none: no minimum).
/// </summary>
public sealed record BurnPolicy(string Severity, string Speed, string For, IReadOnlyList<BurnWindow> Windows, int? MinRequests);

/// <summary>How every SLO alerts (<c>alerting</c> of slos.yaml).</summary>
public sealed record AlertingPolicy(BurnPolicy Page, BurnPolicy Ticket, string AbsentFor, string ExhaustedFor)
{
    public IEnumerable<BurnPolicy> Burns => [Page, Ticket];
}

public enum Indicator
{
    /// <summary>Good: not 5xx. Counted: every request except 4xx (the client's doing, 429 rate limits among them).</summary>
    Availability,

    /// <summary>Good: finished within the threshold, a bucket of the duration histogram. Counted: every request.</summary>
    Latency,
}

/// <summary>One SLO of slos.yaml.</summary>
public sealed record Objective(
    string Name,
    string AlertPrefix,
    string Title,
    string Journey,
    Indicator Indicator,
    double? ThresholdSeconds,
    double ObjectivePercent,
    IReadOnlyList<Route> Routes)
{
    /// <summary>Covers every route (the whole API) rather than a journey's.</summary>
    public bool AllRoutes => Routes.Count == 0;
    public double ObjectiveRatio => Math.Round(ObjectivePercent / 100, 6);
    public double BudgetRatio => Math.Round(1 - ObjectiveRatio, 6);
    public string Threshold => ThresholdSeconds!.Value.ToString(CultureInfo.InvariantCulture);

    public string BurnAlert(BurnPolicy policy) => $"{AlertPrefix}ErrorBudgetBurn{policy.Speed}";
}

/// <summary>A step of the error budget policy: applies with <paramref name="LeftPercent"/> % of the budget left or less.</summary>
public sealed record PolicyStep(double LeftPercent, string Step, bool Refuses, string Action);

/// <summary>slos.yaml as read: the service, the budget window, the alerting policy and the SLOs.</summary>
public sealed record SloSpec(string Service, string Window, AlertingPolicy Alerting, IReadOnlyList<PolicyStep> Policy, IReadOnlyList<Objective> Objectives)
{
    /// <summary>The window in days, for the text that states it (30d → 30).</summary>
    public int WindowDays => int.Parse(Window.TrimEnd('d'), CultureInfo.InvariantCulture);
}
