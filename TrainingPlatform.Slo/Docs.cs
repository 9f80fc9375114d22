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
                (slo.BurnAlert(policy), SloText.BurnMeaning(spec, slo, policy), (Func<string>)(() => RunbookSections.Burn(spec, slo, policy)))))
            .Append((RuleFiles.ExhaustedAlert, SloText.ExhaustedMeaning(spec), () => RunbookSections.Exhausted(spec)))
            .Append((RuleFiles.AbsentAlert, SloText.AbsentMeaning(spec), () => RunbookSections.Absent(spec)));

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

    private static string Minutes(string duration) => $"{Promql.Seconds(duration) / 60} minutes";

    private static string Indent(string expression) => string.Join('\n', expression.Split('\n').Select(line => "    " + line));

    /// <summary>Prose wrapped at 120 columns, as the documents are.</summary>
    public static string Wrap(string text)
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
