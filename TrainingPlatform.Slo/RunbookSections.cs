namespace TrainingPlatform.Slo;

/// <summary>
/// The first runbook section of an SLO alert that has none yet (Meaning, Impact, Diagnosis, Mitigation), written from
/// the spec; from then on the section is hand-edited, but for its Meaning, which <see cref="Docs"/> keeps.
/// </summary>
public static class RunbookSections
{
    public static string Burn(SloSpec spec, Objective slo, BurnPolicy policy)
    {
        var isPage = policy.Severity == "critical";
        var window = isPage ? "5m" : "1d";
        var top = slo.Indicator == Indicator.Availability
            ? $"sum by (path_template, status_code) (rate({Promql.Requests}{{service=\"{spec.Service}\", status_code=~\"5..\"}}[{window}]))"
            : $"histogram_quantile(0.95, sum by (path_template, le) (rate({Promql.DurationBucket}{{service=\"{spec.Service}\"}}[{window}])))";
        var impact = isPage
            ? $"\"{slo.Journey}\" fails for many: at this burn a large share of its requests {Failing(slo)}, now. The month's budget goes within days."
            : $"\"{slo.Journey}\" fails for some: a steady share of its requests {Failing(slo)}; users retry and mostly succeed. When the budget is spent, the error budget policy stops feature releases.";
        var mitigation = isPage
            ? "- Started with a release: roll back (see [Roll back](#roll-back)), then check from outside ([Check the service from outside](#check-the-service-from-outside)).\n" +
              "- Only this journey failing: read the failing requests' traces (the `traceId` of their access log lines) and fix forward or roll back.\n" +
              "- Silence the page only after mitigating, for the time the budget needs to stop burning (1 h), never longer."
            : "Fix the top cause in a normal release; the budget's step decides how releases go meanwhile ([Release gate](#release-gate)).";
        return $"""
            ## {slo.BurnAlert(policy)}

            ### Meaning

            {Docs.Wrap(SloText.BurnMeaning(spec, slo, policy))}

            ### Impact

            {Docs.Wrap(impact)}

            ### Diagnosis

            ```promql
            {top}
            {Promql.BurnRate(slo, isPage ? "1h" : "1d", $", service=\"{spec.Service}\"")}
            {Promql.BudgetRemaining}{Selector(spec, slo)}
            ```

            The first query shows which routes and statuses (or which routes' latency) drive the burn; the SLO's own routes
            are {SloText.Routes(slo)}.

            ### Mitigation

            {mitigation}


            """;
    }

    public static string Exhausted(SloSpec spec) => $"""
        ## {RuleFiles.ExhaustedAlert}

        ### Meaning

        {Docs.Wrap(SloText.ExhaustedMeaning(spec))}

        ### Impact

        Users of the journey got worse service than promised over the last {spec.WindowDays} days. Nothing new is necessarily
        failing now: the burn-rate alerts say whether it still burns.

        ### Diagnosis

        ```promql
        {Promql.BudgetRemaining} <= 0
        {Promql.ErrorRatio}{spec.Window} / on (slo) group_left () {Promql.BudgetRatio}
        ```

        Which SLO, how far overspent, and since when (graph the first query over {spec.Window}).

        ### Mitigation

        Release only fixes and rollbacks until the budget is positive again: the release gate refuses other releases, and
        `release-gate.sh --fix` lets a fix through ([Release gate](#release-gate)). Put the journey's reliability work first.


        """;

    public static string Absent(SloSpec spec) => $"""
        ## {RuleFiles.AbsentAlert}

        ### Meaning

        {Docs.Wrap(SloText.AbsentMeaning(spec))}

        ### Impact

        None for users by itself; but a burn on that journey would page nobody, and the release gate refuses for want of data.

        ### Diagnosis

        ```promql
        {Promql.ErrorRatio}5m
        {Promql.BadRate}
        {Promql.ValidRate}
        ```

        Prometheus's Status → Rules page shows whether `slo-recording.yml` is loaded and whether a rule fails. A latency
        SLO whose threshold is no longer a bucket of `http_request_duration_seconds` has a valid rate and no bad one.

        ### Mitigation

        Load the rules again (a deployment that dropped `slo-recording.yml`), or put the threshold back among the histogram's
        buckets (`HttpMeasures.DurationBuckets`), or change the SLO in `ops/slo/slos.yaml` and run `ops/slo/generate.sh`.


        """;

    private static string Failing(Objective slo) => slo.Indicator == Indicator.Availability ? "fail" : "answer too slowly";

    private static string Selector(SloSpec spec, Objective slo) => $"{{slo=\"{slo.Name}\", service=\"{spec.Service}\"}}";
}
