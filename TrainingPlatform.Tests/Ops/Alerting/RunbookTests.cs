using TrainingPlatform.Tests.Ops.Slo;
using TrainingPlatform.Tests.Release;

namespace TrainingPlatform.Tests.Ops.Alerting;

/// <summary>Every alert links a runbook section an on-call engineer can act on, with commands the tests run.</summary>
public partial class RunbookTests
{
    private const string RunbookBase = "https://github.com/trainingplatform/trainingplatform/blob/main/ops/docs/runbooks.md#";
    private static readonly string[] Parts = ["Meaning", "Impact", "Diagnosis", "Mitigation"];

    [Fact]
    public void Every_runbook_url_points_at_its_own_section_with_the_four_parts()
    {
        var sections = Sections();

        foreach (var rule in AlertDefinitions.Rules())
        {
            var url = rule.Annotations["runbook_url"];
            Assert.StartsWith(RunbookBase, url);
            var anchor = url[RunbookBase.Length..];
            Assert.Equal(GitHubAnchor.Of(rule.Name), anchor);
            Assert.True(sections.TryGetValue(anchor, out var body), $"{rule.Name}: runbooks.md has no section with anchor #{anchor}");

            var parts = SubHeading().Matches(body).Select(m => m.Groups["text"].Value).ToList();
            Assert.True(Parts.SequenceEqual(parts), $"{rule.Name}: its section has {string.Join(", ", parts)}, not {string.Join(", ", Parts)}");
            Assert.True(body.Contains("```promql", StringComparison.Ordinal), $"{rule.Name}: its Diagnosis has no PromQL to paste");
        }
    }

    [Fact]
    public void Every_script_command_in_the_runbooks_is_one_the_tests_run()
    {
        var tested = RunbookCommandTests.TestedCommands("release-checklist.md")
            .Concat(RunbookCommandTests.TestedCommands("rollback-runbook.md"))
            .Append(ReleaseGateTests.ChecklistCommand.Trim())
            .ToHashSet();
        var commands = CommandLine().Matches(File.ReadAllText(OpsFiles.RunbooksDoc)).Select(m => m.Value.Trim()).ToList();

        foreach (var expected in new[] { "backup.sh", "restore.sh", "synthetic-check.sh", "release-gate.sh" })
        {
            Assert.Contains(commands, c => c.Contains(expected, StringComparison.Ordinal));
        }
        foreach (var command in commands)
        {
            Assert.True(tested.Contains(command), $"runbooks.md runs `{command}`, which no test runs (a tested block of the checklist or rollback runbook, or the release gate's tests)");
        }
    }

    /// <summary>The body of every level-2 section of runbooks.md, by the anchor GitHub gives its heading.</summary>
    private static Dictionary<string, string> Sections() =>
        Section().Matches(File.ReadAllText(OpsFiles.RunbooksDoc))
            .ToDictionary(m => GitHubAnchor.Of(m.Groups["heading"].Value), m => m.Groups["body"].Value);

    [GeneratedRegex(@"^## (?<heading>.+?)\s*\n(?<body>.*?)(?=^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Section();

    [GeneratedRegex(@"^### (?<text>.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex SubHeading();

    /// <summary>A line in a code block that runs one of the repository's scripts or the migration tool.</summary>
    [GeneratedRegex(@"^(ops/scripts/|dotnet run ).*$", RegexOptions.Multiline)]
    private static partial Regex CommandLine();
}
