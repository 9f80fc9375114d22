using TrainingPlatform.Tests.Ops.Slo;

namespace TrainingPlatform.Tests.Ops.Alerting;

/// <summary>The committed ops/alertmanager/alertmanager.yml is valid and routes every alert of the rules by its severity.</summary>
public partial class AlertmanagerConfigTests
{
    [Fact]
    public async Task The_alertmanager_config_is_valid()
    {
        var result = await Command.RunAsync(LocalProgram.Amtool.Path, ["check-config", OpsFiles.AlertmanagerConfig]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.Stdout);
        Assert.Contains("3 receivers", result.Stdout);
    }

    [Fact]
    public async Task Every_alert_in_the_rules_reaches_the_receiver_its_severity_maps_to()
    {
        var rules = AlertDefinitions.Rules();
        Assert.NotEmpty(rules);

        foreach (var rule in rules)
        {
            var expected = AlertRouting.ReceiverFor(rule);
            // The labels the alert fires with: its own, its name, and those its expression keeps (service, slo).
            var labels = rule.Labels
                .Append(new("alertname", rule.Name))
                .Append(new("service", "api"))
                .Concat(SloSelector().Matches(rule.Expression).Select(match => new KeyValuePair<string, string>("slo", match.Groups["slo"].Value)).Take(1))
                .Select(label => $"{label.Key}={label.Value}");

            var result = await Command.RunAsync(LocalProgram.Amtool.Path,
                ["config", "routes", "test", "--config.file=" + OpsFiles.AlertmanagerConfig, .. labels]);

            Assert.True(result.ExitCode == 0, $"{rule.Name}: {result}");
            Assert.True(result.Stdout.Trim() == expected, $"{rule.Name} (severity {rule.Labels.GetValueOrDefault("severity")}) goes to '{result.Stdout.Trim()}', expected {expected}");
        }
    }

    [GeneratedRegex(@"slo=""(?<slo>[a-z]+)""")]
    private static partial Regex SloSelector();
}
