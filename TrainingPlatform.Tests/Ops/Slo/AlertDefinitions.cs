using YamlDotNet.RepresentationModel;

namespace TrainingPlatform.Tests.Ops.Slo;

internal sealed record AlertRule(
    string Name,
    string File,
    string Expression,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    string For);

/// <summary>One <c>alert_rule_test</c> entry of a promtool unit test: an alert expected to fire or not.</summary>
internal sealed record AlertCase(
    string AlertName,
    string File,
    string EvalTime,
    IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)> ExpectedAlerts)
{
    public bool Fires => ExpectedAlerts.Count > 0;
}

/// <summary>The alerts of ops/prometheus/rules and the alert cases of ops/prometheus/tests, read from their YAML.</summary>
internal static class AlertDefinitions
{
    public static IReadOnlyList<AlertRule> Rules() =>
        OpsFiles.RuleFiles.SelectMany(file =>
            Sequence(Load(file), "groups")
                .SelectMany(group => Sequence(group, "rules"))
                .Where(rule => rule.Children.ContainsKey("alert"))
                .Select(rule => new AlertRule(
                    Scalar(rule, "alert"),
                    Path.GetFileName(file),
                    Scalar(rule, "expr"),
                    Map(rule, "labels"),
                    Map(rule, "annotations"),
                    Scalar(rule, "for"))))
        .ToList();

    /// <summary>
    /// One rule per alert name: an SLO alert has a rule per SLO (told apart by its slo label), which share their
    /// severity, wait and runbook.
    /// </summary>
    public static IReadOnlyDictionary<string, AlertRule> ByName() =>
        Rules().GroupBy(rule => rule.Name).ToDictionary(group => group.Key, group => group.First());

    public static IReadOnlyList<AlertCase> Cases() =>
        OpsFiles.RuleTestFiles.SelectMany(file =>
            Sequence(Load(file), "tests")
                .SelectMany(test => Sequence(test, "alert_rule_test"))
                .Select(test => new AlertCase(
                    Scalar(test, "alertname"),
                    Path.GetFileName(file),
                    Scalar(test, "eval_time"),
                    Sequence(test, "exp_alerts")
                        .Select(expected => (Map(expected, "exp_labels"), Map(expected, "exp_annotations")))
                        .ToList())))
        .ToList();

    private static YamlMappingNode Load(string file)
    {
        using var reader = new StreamReader(file);
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<YamlMappingNode> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlSequenceNode sequence
            ? sequence.Children.Cast<YamlMappingNode>()
            : [];

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar ? scalar.Value ?? "" : "";

    private static IReadOnlyDictionary<string, string> Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlMappingNode map
            ? map.Children.ToDictionary(entry => ((YamlScalarNode)entry.Key).Value!, entry => ((YamlScalarNode)entry.Value).Value ?? "")
            : new Dictionary<string, string>();
}
