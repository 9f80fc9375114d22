using System.Globalization;
using TrainingPlatform.Tests.Ops.Slo;
using YamlDotNet.RepresentationModel;

namespace TrainingPlatform.Tests.Ops.Alerting;

/// <summary>
/// What the operator's documents repeat from the configuration agrees with it: the SLO objectives and windows, each
/// alert's severity, thresholds, windows and <c>for:</c> (slos.md against ops/prometheus/rules), each receiver's
/// first notice and repeat (runbooks.md against ops/alertmanager/alertmanager.yml). Every secret the deployment has
/// a rotation section, and the on-call documents link only to sections that exist.
/// </summary>
public partial class OperatorDocsTests
{
    private static readonly string Docs = Path.Combine(OpsFiles.RepositoryRoot, "ops", "docs");

    // The saturation limits table names limits, not alerts: which alert enforces each.
    private static readonly Dictionary<string, string> SaturationAlerts = new()
    {
        ["requests in flight per instance"] = "HttpInFlightRequestsHigh",
        ["resident memory per instance"] = "ProcessMemoryHigh",
        ["CPU per instance"] = "ProcessCpuHigh",
        ["busy share of the Postgres pool"] = "DatabasePoolNearlyExhausted",
        ["security events on credential routes"] = "SecurityEventsSurge",
    };

    [Fact]
    public void The_slo_table_states_the_objectives_and_window_the_rules_record()
    {
        var objectives = RecordingRules()
            .Where(rule => Scalar(rule, "record") == "slo:objective:ratio")
            .ToDictionary(rule => Map(rule, "labels")["slo"], rule => Number(VectorLiteral().Match(Scalar(rule, "expr")).Groups["value"].Value));
        var budgetWindow = RecordingRules().Single(rule => Scalar(rule, "record") == "slo:error_budget_remaining:ratio30d");
        var rows = TableRows(Section(Read("slos.md"), "The SLOs"));

        Assert.Equal(objectives.Keys.Order(), rows.Select(row => Code(row[0])).Order());
        foreach (var row in rows)
        {
            var slo = Code(row[0]);
            Assert.True(Math.Abs(objectives[slo] * 100 - Number(row[1].TrimEnd('%', ' '))) < 1e-9,
                $"slos.md: {slo}'s objective is {row[1]}, the rules record {objectives[slo]}");
            var days = DaysWindow().Match(row[2]);
            Assert.True(days.Success, $"slos.md: {slo}'s window '{row[2]}' is not in days");
            Assert.Contains($"ratio_rate{days.Groups["days"].Value}d", Scalar(budgetWindow, "expr"));
        }
    }

    [Fact]
    public void The_alert_table_lists_every_alert_with_its_severity_thresholds_windows_and_wait()
    {
        var rules = AlertDefinitions.ByName();
        var slos = Read("slos.md");
        var rows = AllTableRows(Section(slos, "Routing")).ToDictionary(row => Code(row[0]), row => (Severity: row[1], Means: row[2]));
        var waits = BurnWaits().Match(slos);
        Assert.True(waits.Success, "slos.md no longer says how long page and ticket alerts wait");

        Assert.Equal(rules.Keys.Order(), rows.Keys.Order());
        foreach (var (name, (severity, means)) in rows)
        {
            var rule = rules[name];
            Assert.True(severity == rule.Labels["severity"], $"slos.md: {name} is '{severity}', the rule says '{rule.Labels["severity"]}'");
            var stated = ForMinutes().Match(means);
            if (stated.Success)
            {
                Assert.True(Duration($"{stated.Groups["minutes"].Value}m") == Duration(rule.For), $"slos.md: {name} waits {stated.Value}, the rule for: {rule.For}");
            }
            else if (rule.For.Length > 0)
            {
                // The SLO burn alerts' waits are stated once, in the paragraph under the table.
                var wait = severity == "critical" ? waits.Groups["page"].Value : waits.Groups["ticket"].Value;
                Assert.True(wait == rule.For, $"slos.md: {name} ({severity}) should wait for: {wait}, the rule for: {rule.For}");
            }
            foreach (Match quantity in Quantity().Matches(means))
            {
                AssertInRule(rule, quantity, $"slos.md says of {name}: '{means}'");
            }
        }
    }

    [Fact]
    public void The_saturation_limits_are_the_constants_of_their_alerts()
    {
        var rules = AlertDefinitions.ByName();
        var rows = TableRows(Section(Read("slos.md"), "Saturation limits"));

        Assert.Equal(SaturationAlerts.Keys.Order(), rows.Select(row => row[0]).Order());
        foreach (var row in rows)
        {
            var limit = Quantity().Match(row[1]);
            Assert.True(limit.Success, $"slos.md: the limit '{row[1]}' has no number");
            AssertInRule(rules[SaturationAlerts[row[0]]], limit, $"slos.md's limit for {row[0]}: '{row[1]}'");
        }
    }

    [Fact]
    public void The_routing_table_states_each_receivers_first_notice_and_repeat_as_alertmanager_does()
    {
        var route = Alertmanager();
        var routes = ((YamlSequenceNode)route.Children["routes"]).Children.Cast<YamlMappingNode>().ToList();
        var rows = TableRows(Section(Read("runbooks.md"), "Routing"));

        Assert.Equal(routes.Select(r => Scalar(r, "receiver")).Order(), rows.Select(row => Code(row[0])).Order());
        foreach (var row in rows)
        {
            var receiver = Code(row[0]);
            var configured = routes.Single(r => Scalar(r, "receiver") == receiver);
            // A route without its own value inherits the root route's.
            string Effective(string key) => configured.Children.ContainsKey(key) ? Scalar(configured, key) : Scalar(route, key);

            Assert.True(FirstNotice(row[2]) == Duration(Effective("group_wait")),
                $"runbooks.md: {receiver}'s first notice '{row[2]}', alertmanager.yml group_wait {Effective("group_wait")}");
            Assert.True(Repeat(row[3]) == Duration(Effective("repeat_interval")),
                $"runbooks.md: {receiver} repeats '{row[3]}', alertmanager.yml repeat_interval {Effective("repeat_interval")}");
        }
    }

    [Fact]
    public void Every_secret_parameter_has_a_rotation_section()
    {
        var readme = File.ReadAllText(Path.Combine(OpsFiles.RepositoryRoot, "README.md"));
        var secrets = SecretParameter().Matches(readme).Select(m => m.Groups["name"].Value).ToList();
        var headings = Heading().Matches(Read("secret-rotation.md")).Select(m => m.Groups["text"].Value).ToList();

        Assert.NotEmpty(secrets);
        foreach (var secret in secrets)
        {
            Assert.True(headings.Any(heading => heading.Contains($"`{secret}`", StringComparison.Ordinal)),
                $"secret-rotation.md has no section whose heading names `{secret}` (a secret parameter in the README)");
        }
    }

    [Theory]
    [InlineData("on-call.md")]
    [InlineData("secret-rotation.md")]
    public void Every_link_to_another_document_reaches_a_file_and_heading_that_exist(string document)
    {
        var links = DocumentLink().Matches(Read(document)).ToList();
        Assert.NotEmpty(links);

        foreach (Match link in links)
        {
            var target = Path.Combine(Docs, link.Groups["file"].Value);
            Assert.True(File.Exists(target), $"{document} links to {link.Value}, which does not exist");
            if (link.Groups["anchor"].Success)
            {
                var anchors = Heading().Matches(File.ReadAllText(target)).Select(m => GitHubAnchor.Of(m.Groups["text"].Value));
                Assert.True(anchors.Contains(link.Groups["anchor"].Value), $"{document} links to {link.Value}, which has no such heading");
            }
        }
    }

    /// <summary>
    /// A number the document states, in the rule: a window (5m, 1h) as a range or a recorded ratio's window, a span
    /// of minutes as the rule's <c>for:</c> or a range, any other value (converted from its unit) as a constant of the
    /// expression or a product of its constants (0.9 * 2).
    /// </summary>
    private static void AssertInRule(AlertRule rule, Match quantity, string context)
    {
        var number = quantity.Groups["number"].Value;
        var unit = quantity.Groups["unit"].Value;
        switch (unit)
        {
            case "m" or "h" or "d":
                Assert.True(rule.Expression.Contains($"ratio_rate{number}{unit}") || rule.Expression.Contains($"[{number}{unit}]"),
                    $"{context}: the window {quantity.Value} is not in {rule.Name}'s expression");
                return;
            case "minutes":
                Assert.True(Duration($"{number}m") == Duration(rule.For) || rule.Expression.Contains($"[{number}m]"),
                    $"{context}: {quantity.Value} is neither {rule.Name}'s for: ({rule.For}) nor a range of its expression");
                return;
        }
        var value = Number(number) * unit switch
        {
            "%" => 0.01,
            "ms" => 0.001,
            "GiB" => 1024d * 1024 * 1024,
            _ => 1,
        };
        var constants = Constants(rule.Expression);
        Assert.True(constants.Any(constant => Math.Abs(constant - value) <= 1e-9 * Math.Max(1, value)),
            $"{context}: {quantity.Value} (= {value.ToString(CultureInfo.InvariantCulture)}) is no constant of {rule.Name}'s expression " +
            $"({string.Join(", ", constants.Select(c => c.ToString(CultureInfo.InvariantCulture)))})");
    }

    /// <summary>The expression's numeric literals, and the products of literals multiplied together.</summary>
    private static IReadOnlyList<double> Constants(string expression) =>
        Literal().Matches(expression).Select(m => Number(m.Value))
            .Concat(Product().Matches(expression).Select(m => m.Value.Split('*').Select(factor => Number(factor.Trim())).Aggregate(1d, (a, b) => a * b)))
            .ToList();

    private static TimeSpan FirstNotice(string text) =>
        text.StartsWith("at once", StringComparison.Ordinal) ? TimeSpan.Zero
        : SecondsAfter().Match(text) is { Success: true } seconds ? TimeSpan.FromSeconds(int.Parse(seconds.Groups["seconds"].Value, CultureInfo.InvariantCulture))
        : throw new InvalidOperationException($"runbooks.md: cannot read the first notice '{text}'");

    private static TimeSpan Repeat(string text) => Every().Match(text).Groups["unit"].Value switch
    {
        "minute" => TimeSpan.FromMinutes(1),
        "hour" => TimeSpan.FromHours(1),
        "day" => TimeSpan.FromDays(1),
        _ => throw new InvalidOperationException($"runbooks.md: cannot read the repeat '{text}'"),
    };

    /// <summary>A Prometheus duration (30s, 5m, 24h) as a time span; empty is zero.</summary>
    private static TimeSpan Duration(string text)
    {
        if (text.Length == 0)
        {
            return TimeSpan.Zero;
        }
        var match = PrometheusDuration().Match(text);
        Assert.True(match.Success, $"'{text}' is not a duration of one unit");
        var amount = int.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value switch
        {
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromDays(amount),
        };
    }

    private static string Read(string document) => File.ReadAllText(Path.Combine(Docs, document));

    /// <summary>The body of the level-2 section <paramref name="heading"/>.</summary>
    private static string Section(string document, string heading)
    {
        var match = Regex.Match(document, $@"^## {Regex.Escape(heading)}\s*\n(?<body>.*?)(?=^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(match.Success, $"no section '## {heading}'");
        return match.Groups["body"].Value;
    }

    /// <summary>The cells of the first table's body rows (header and separator skipped).</summary>
    private static List<string[]> TableRows(string section) =>
        section.Split('\n').SkipWhile(line => !line.StartsWith('|')).TakeWhile(line => line.StartsWith('|')).Skip(2)
            .Select(line => line.Trim().Trim('|').Split(" | ").Select(cell => cell.Trim()).ToArray())
            .ToList();

    /// <summary>The body rows of every table of the section (the generated SLO alerts', then the hand-written ones).</summary>
    private static List<string[]> AllTableRows(string section) => Tables(section).SelectMany(TableRows).ToList();

    private static IEnumerable<string> Tables(string section) =>
        Regex.Matches(section, @"(?:^\|.*\n?)+", RegexOptions.Multiline).Select(match => match.Value);

    private static string Code(string cell) => cell.Trim('`');

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static IEnumerable<YamlMappingNode> RecordingRules() =>
        OpsFiles.RuleFiles.SelectMany(file => ((YamlSequenceNode)Load(file).Children["groups"]).Children.Cast<YamlMappingNode>())
            .SelectMany(group => ((YamlSequenceNode)group.Children["rules"]).Children.Cast<YamlMappingNode>())
            .Where(rule => rule.Children.ContainsKey("record"));

    private static YamlMappingNode Alertmanager() => (YamlMappingNode)Load(OpsFiles.AlertmanagerConfig).Children["route"];

    private static YamlMappingNode Load(string file)
    {
        using var reader = new StreamReader(file);
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar ? scalar.Value ?? "" : "";

    private static Dictionary<string, string> Map(YamlMappingNode node, string key) =>
        ((YamlMappingNode)node.Children[key]).Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? "");

    /// <summary>A number with an optional unit, not part of a word (p95, 5xx, rate5m).</summary>
    [GeneratedRegex(@"(?<![\w.])(?<number>\d+(?:\.\d+)?)\s*(?<unit>×|%|GiB|ms|s|cores|minutes|m|h|d)?(?![\w.])")]
    private static partial Regex Quantity();

    [GeneratedRegex(@"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")]
    private static partial Regex Literal();

    [GeneratedRegex(@"(?<![\w.])\d+(?:\.\d+)?(?:\s*\*\s*\d+(?:\.\d+)?)+(?![\w.])")]
    private static partial Regex Product();

    [GeneratedRegex(@"\bfor (?<minutes>\d+) minutes")]
    private static partial Regex ForMinutes();

    [GeneratedRegex(@"Page alerts wait\s+`for: (?<page>\w+)`, tickets\s+`for: (?<ticket>\w+)`")]
    private static partial Regex BurnWaits();

    [GeneratedRegex(@"vector\((?<value>[0-9.]+)\)")]
    private static partial Regex VectorLiteral();

    [GeneratedRegex(@"^(?<days>\d+) days$")]
    private static partial Regex DaysWindow();

    [GeneratedRegex(@"^(?<seconds>\d+) s after")]
    private static partial Regex SecondsAfter();

    [GeneratedRegex(@"^every (?<unit>minute|hour|day)\b")]
    private static partial Regex Every();

    [GeneratedRegex(@"^(?<amount>\d+)(?<unit>[smhd])$")]
    private static partial Regex PrometheusDuration();

    [GeneratedRegex(@"^\| `(?<name>[a-z0-9-]+)` \| parameter \(secret\)", RegexOptions.Multiline)]
    private static partial Regex SecretParameter();

    [GeneratedRegex(@"^#{2,3} (?<text>.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    /// <summary>A Markdown link to another document of ops/docs, with or without an anchor.</summary>
    [GeneratedRegex(@"\]\((?<file>[a-z-]+\.md)(?:#(?<anchor>[a-z0-9_-]+))?\)")]
    private static partial Regex DocumentLink();
}
