namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>
/// BackupTooOld allows the schedule's interval plus one margin for the run. The margin is written in the rule; the
/// alert's description and the docs that state it must say the same number of minutes.
/// </summary>
public partial class BackupAlertMarginTests
{
    [Fact]
    public void The_rule_uses_one_margin_and_the_alert_and_docs_state_it()
    {
        var rule = AlertDefinitions.Rules().Single(r => r.Name == "BackupTooOld");
        var margins = IntervalPlusMargin().Matches(rule.Expression).Select(m => int.Parse(m.Groups["seconds"].Value)).Distinct().ToList();

        var seconds = Assert.Single(margins);
        var minutes = $"{seconds / 60} minutes";
        Assert.Contains($"interval plus {minutes}", rule.Annotations["description"]);
        var backupDoc = Prose(Path.Combine(OpsFiles.RepositoryRoot, "ops", "docs", "backup-restore.md"));
        Assert.Contains($"interval plus {minutes}", backupDoc);
        Assert.Contains($"exceeds the interval by {minutes}", backupDoc);
        Assert.Contains($"plus {minutes} for the run itself", Prose(OpsFiles.RunbooksDoc));
    }

    // A document's text with its line breaks as spaces, as it reads.
    private static string Prose(string file) => Whitespace().Replace(File.ReadAllText(file), " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"backup_schedule_interval_seconds\)?\s*\+\s*(?<seconds>\d+)")]
    private static partial Regex IntervalPlusMargin();
}
