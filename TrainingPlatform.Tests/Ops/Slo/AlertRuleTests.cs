using TrainingPlatform.Slo;

namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>Every alert is routable, documented, and proven by promtool unit tests both ways.</summary>
public class AlertRuleTests
{
    // Watchdog fires always by design: its cases prove it fires with and without input, never that it stops.
    private const string AlwaysFiring = "Watchdog";

    // The SLO alerts come from ops/slo/slos.yaml: each SLO's page and ticket, and one budget and one absence alert per SLO.
    private static readonly string[] HandWrittenAlerts =
    [
        "HttpLatencyP95High", "HttpErrorRateHigh",
        "TargetDown", "ServiceTargetsAbsent", "ProbeFailing", "ProbeSlow",
        "HttpInFlightRequestsHigh", "ProcessMemoryHigh", "ProcessCpuHigh", "DatabasePoolNearlyExhausted",
        "SecurityEventsSurge", AlwaysFiring,
        "RateLimitStoreFailing", "AccessLogRecordsDropped", "EmailsAbandoned", "EmailsDropped", "AlertmanagerNotificationsFailing",
        "BackupTooOld", "BackupFailing",
        "WalArchivingFailing", "WalArchiveStale", "PitrFullBackupTooOld", "PitrVerifyFailing", "PostgresConnectionsNearMax",
    ];

    [Fact]
    public void The_issue_s_alerts_all_exist_once()
    {
        var spec = OpsFiles.SloSpec;
        var sloAlerts = spec.Objectives.SelectMany(slo => spec.Alerting.Burns.Select(slo.BurnAlert))
            .Concat(spec.Objectives.SelectMany(_ => new[] { RuleFiles.ExhaustedAlert, RuleFiles.AbsentAlert }));
        var rules = AlertDefinitions.Rules();
        // An alert name is one rule, or one rule per SLO, told apart by its slo label.
        var keys = rules.Select(rule => (rule.Name, Slo: rule.Labels.GetValueOrDefault("slo"))).ToList();

        Assert.Equal(keys.Distinct().Count(), keys.Count);
        Assert.Equal(HandWrittenAlerts.Concat(sloAlerts).Order(), rules.Select(rule => rule.Name).Order());
        Assert.All(rules.Where(rule => rule.File == "slo-alerts.yml"), rule => Assert.Contains(rule.Name, sloAlerts));
    }

    [Fact]
    public void Every_alert_has_a_routing_severity_and_the_three_annotations()
    {
        foreach (var rule in AlertDefinitions.Rules())
        {
            Assert.True(rule.Labels.TryGetValue("severity", out var severity), $"{rule.Name} has no severity");
            Assert.Contains(severity, new[] { "critical", "warning" });
            foreach (var annotation in new[] { "summary", "description", "runbook_url" })
            {
                Assert.True(rule.Annotations.TryGetValue(annotation, out var text) && text.Length > 0,
                    $"{rule.Name} has no {annotation}");
            }
        }
    }

    [Fact]
    public void Every_alert_has_a_unit_test_where_it_fires_and_one_where_it_must_not()
    {
        var cases = AlertDefinitions.Cases();

        foreach (var rule in AlertDefinitions.Rules())
        {
            var own = cases.Where(c => c.AlertName == rule.Name).ToList();
            Assert.True(own.Any(c => c.Fires), $"{rule.Name} has no promtool case where it fires");
            if (rule.Name == AlwaysFiring)
            {
                Assert.True(own.Count(c => c.Fires) >= 2 && own.All(c => c.Fires),
                    $"{rule.Name} must be shown firing at two times and never silent");
            }
            else
            {
                Assert.True(own.Any(c => !c.Fires), $"{rule.Name} has no promtool case where it must not fire");
            }
        }
    }

    [Fact]
    public void Every_firing_case_asserts_the_alert_s_severity_and_annotations()
    {
        var rules = AlertDefinitions.ByName();

        foreach (var firing in AlertDefinitions.Cases().Where(c => c.Fires))
        {
            Assert.True(rules.TryGetValue(firing.AlertName, out var rule), $"{firing.File} tests unknown alert {firing.AlertName}");
            foreach (var (labels, annotations) in firing.ExpectedAlerts)
            {
                Assert.Equal(rule.Labels["severity"], labels.GetValueOrDefault("severity"));
                Assert.Equal(rule.Annotations["runbook_url"], annotations.GetValueOrDefault("runbook_url"));
                Assert.False(string.IsNullOrEmpty(annotations.GetValueOrDefault("summary")), $"{firing.File} {firing.AlertName} summary");
                Assert.False(string.IsNullOrEmpty(annotations.GetValueOrDefault("description")), $"{firing.File} {firing.AlertName} description");
            }
        }
    }
}
