using System.Text;
using System.Text.RegularExpressions;

namespace TrainingPlatform.Slo;

/// <summary>
/// The generated parts of the operator documents: in ops/docs/slos.md the blocks between <c>&lt;!-- slo:NAME --&gt;</c>
/// markers (the SLO table, the SLIs in PromQL, the budget policy, the SLO alerts); in ops/docs/runbooks.md the Meaning
/// of every SLO alert, and a first section for an SLO alert that has none yet (hand-edited from then on, but for its Meaning).
/// </summary>
public static partial class Docs
{
    public const string SlosDoc = "ops/docs/slos.md";
    public const string RunbooksDoc = "ops/docs/runbooks.md";

    public static IEnumerable<GeneratedFile> Files(SloSpec spec, string root)
    {
        var slos = File.ReadAllText(Path.Combine(root, SlosDoc));
        slos = Block(slos, "table", SloTable(spec));
        slos = Block(slos, "promql", SliPromql(spec));
        slos = Block(slos, "policy", PolicyTable(spec));
        slos = Block(slos, "alerts", AlertTable(spec));
        yield return new(SlosDoc, slos);
        yield return new(RunbooksDoc, Runbooks(spec, File.ReadAllText(Path.Combine(root, RunbooksDoc))));
    }

    /// <summary>Every SLO alert with its Meaning, in the order of slo-alerts.yml.</summary>
    public static IEnumerable<(string Alert, string Meaning, Func<string> FirstSection)> RunbookEntries(SloSpec spec) =>
        spec.Objectives.SelectMany(slo => spec.Alerting.Burns.Select(policy =>
                (slo.BurnAlert(policy), SloText.BurnMeaning(spec, slo, policy), (Func<string>)(() => BurnSection(spec, slo, policy)))))
            .Append((RuleFiles.ExhaustedAlert, SloText.ExhaustedMeaning(spec), () => ExhaustedSection(spec)))
            .Append((RuleFiles.AbsentAlert, SloText.AbsentMeaning(spec), () => AbsentSection(spec)));

    private static string SloTable(SloSpec spec)
    {
        var table = new StringBuilder("| SLO | Objective | Window | Journey | Routes | Good event | Counted events | Error budget |\n")
            .Append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var slo in spec.Objectives)
        {
            table.Append($"| `{slo.Name}` | {SloText.Number(slo.ObjectivePercent)} % | {spec.WindowDays} days | {slo.Journey} | {SloText.Routes(slo)} | " +
                         $"{SloText.GoodEvent(slo)} | {SloText.CountedEvents(slo)} | {SloText.Percent(slo.BudgetRatio)} % of counted requests |\n");
        }
        return table.ToString();
    }

    private static string SliPromql(SloSpec spec)
    {
        var text = new StringBuilder("```promql\n");
        foreach (var slo in spec.Objectives)
        {
            text.Append($"# {slo.Name}: bad = {SloText.BadEvent(slo)}; counted = {SloText.CountedEvents(slo)}\n")
                .Append($"{Promql.BadRate}{{slo=\"{slo.Name}\"}} =\n{Indent(Promql.Bad(slo))}\n")
                .Append($"{Promql.ValidRate}{{slo=\"{slo.Name}\"}} =\n{Indent(Promql.Valid(slo))}\n\n");
        }
        return text.ToString().TrimEnd() + "\n```\n";
    }

    private static string PolicyTable(SloSpec spec)
    {
        var table = new StringBuilder("| budget left | step | what happens | release gate |\n| --- | --- | --- | --- |\n");
        foreach (var step in spec.Policy)
        {
            var gate = step.Refuses ? "REFUSE budget (a feature release); ALLOW with `--fix`, saying so" : $"ALLOW budget, naming the step `{step.Step}`";
            table.Append($"| {SloText.Number(step.LeftPercent)} % or less | `{step.Step}` | {step.Action} | {gate} |\n");
        }
        return table.ToString();
    }

    private static string AlertTable(SloSpec spec)
    {
        var table = new StringBuilder("| Alert | severity | means |\n| --- | --- | --- |\n");
        foreach (var slo in spec.Objectives)
        {
            var bad = slo.Indicator == Indicator.Availability ? "5xx" : "slow requests";
            foreach (var policy in spec.Alerting.Burns)
            {
                var minimum = policy.MinRequests is { } min ? $", with at least {min} requests in the long window" : "";
                table.Append($"| `{slo.BurnAlert(policy)}` | {policy.Severity} | `{slo.Name}`: {bad} spend the budget {SloText.Pairs(policy)} too fast{minimum} |\n");
            }
        }
        table.Append($"| `{RuleFiles.ExhaustedAlert}` | warning | an SLO (label `slo`) has spent its budget (remaining ≤ 0) for {Minutes(spec.Alerting.ExhaustedFor)} |\n");
        table.Append($"| `{RuleFiles.AbsentAlert}` | warning | an SLO's error ratio is missing while its requests have traffic, for {Minutes(spec.Alerting.AbsentFor)} |\n");
        return table.ToString();
    }

    private static string Runbooks(SloSpec spec, string document)
    {
        var insertAt = -1;
        foreach (var (alert, meaning, firstSection) in RunbookEntries(spec))
        {
            var heading = Regex.Match(document, $@"^## {Regex.Escape(alert)}\s*$", RegexOptions.Multiline);
            if (!heading.Success)
            {
                if (insertAt < 0)
                {
                    throw new SloSpecException($"{RunbooksDoc} has no section '## {spec.Objectives[0].BurnAlert(spec.Alerting.Page)}' to put the SLO alerts after");
                }
                var section = firstSection();
                document = document.Insert(insertAt, section);
                insertAt += section.Length;
                continue;
            }
            var end = SectionEnd(document, heading.Index + heading.Length);
            var body = document[heading.Index..end];
            var meaningPart = MeaningPart().Match(body);
            if (!meaningPart.Success)
            {
                throw new SloSpecException($"{RunbooksDoc}: the section '## {alert}' has no '### Meaning' followed by another '###'");
            }
            var replaced = body[..meaningPart.Groups["text"].Index] + Wrap(meaning) + body[(meaningPart.Groups["text"].Index + meaningPart.Groups["text"].Length)..];
            document = document[..heading.Index] + replaced + document[end..];
            insertAt = heading.Index + replaced.Length;
        }
        return document;
    }

    private static int SectionEnd(string document, int from)
    {
        var next = document.IndexOf("\n## ", from, StringComparison.Ordinal);
        return next < 0 ? document.Length : next + 1;
    }

    private static string BurnSection(SloSpec spec, Objective slo, BurnPolicy policy)
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

            {Wrap(SloText.BurnMeaning(spec, slo, policy))}

            ### Impact

            {Wrap(impact)}

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

    private static string ExhaustedSection(SloSpec spec) => $"""
        ## {RuleFiles.ExhaustedAlert}

        ### Meaning

        {Wrap(SloText.ExhaustedMeaning(spec))}

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

    private static string AbsentSection(SloSpec spec) => $"""
        ## {RuleFiles.AbsentAlert}

        ### Meaning

        {Wrap(SloText.AbsentMeaning(spec))}

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

    /// <summary>Replaces the block between <c>&lt;!-- slo:NAME --&gt;</c> and <c>&lt;!-- /slo:NAME --&gt;</c>.</summary>
    private static string Block(string document, string name, string content)
    {
        var (open, close) = ($"<!-- slo:{name} -->\n", $"<!-- /slo:{name} -->");
        var start = document.IndexOf(open, StringComparison.Ordinal);
        var end = document.IndexOf(close, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new SloSpecException($"{SlosDoc} has no block {open.Trim()} … {close}");
        }
        return document[..(start + open.Length)] + content + document[end..];
    }

    private static string Failing(Objective slo) => slo.Indicator == Indicator.Availability ? "fail" : "answer too slowly";

    private static string Selector(SloSpec spec, Objective slo) => $"{{slo=\"{slo.Name}\", service=\"{spec.Service}\"}}";

    private static string Minutes(string duration) => $"{Promql.Seconds(duration) / 60} minutes";

    private static string Indent(string expression) => string.Join('\n', expression.Split('\n').Select(line => "    " + line));

    /// <summary>Prose wrapped at 120 columns, as the documents are.</summary>
    private static string Wrap(string text)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > 120)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            line.Append(line.Length > 0 ? " " : "").Append(word);
        }
        lines.Add(line.ToString());
        return string.Join('\n', lines);
    }

    /// <summary>The Meaning sub-section's text: after its heading, up to the next sub-heading.</summary>
    [GeneratedRegex(@"### Meaning\n\n(?<text>.*?)\n+(?=### )", RegexOptions.Singleline)]
    private static partial Regex MeaningPart();
}
