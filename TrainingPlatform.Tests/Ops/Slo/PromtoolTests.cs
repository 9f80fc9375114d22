namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>The committed Prometheus files pass the checks Prometheus's own tool makes.</summary>
[LongRunning(35)]
public class PromtoolTests
{
    [Fact]
    public async Task The_prometheus_config_with_rendered_targets_is_valid()
    {
        using var config = PrometheusConfigCopy.Render(
            [new ScrapeTarget("api", "127.0.0.1:5080")],
            [("127.0.0.1:9115", new ProbeTarget("api", "http://127.0.0.1:5080/healthz"))]);

        var result = await Promtool.RunAsync(["check", "config", config.ConfigFile]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var combined = result.Output;
        Assert.Contains("is valid prometheus config file syntax", combined);
        foreach (var ruleFile in OpsFiles.RuleFiles)
        {
            Assert.Contains($"Checking {Path.Combine(config.Directory, "rules", Path.GetFileName(ruleFile))}", combined);
        }
    }

    [Fact]
    public async Task The_blackbox_config_is_valid()
    {
        var result = await Command.RunAsync(LocalProgram.BlackboxExporter.Path,
            ["--config.check", "--config.file=" + Path.Combine(OpsFiles.Prometheus, "blackbox.yml")]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Config file is ok", result.Output);
    }

    [Fact]
    public async Task The_rule_files_are_valid_and_lint_clean()
    {
        var result = await Promtool.RunAsync(
            ["check", "rules", "--lint=all", "--lint-fatal", .. OpsFiles.RuleFiles]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var successes = result.Stdout.Split('\n').Count(line => line.Contains("SUCCESS:") && line.Contains("rules found"));
        Assert.Equal(OpsFiles.RuleFiles.Length, successes);
    }

    [Fact]
    public async Task The_rule_unit_tests_pass()
    {
        Assert.NotEmpty(OpsFiles.RuleTestFiles);

        var result = await Promtool.RunAsync(
            ["test", "rules", .. OpsFiles.RuleTestFiles.Select(Path.GetFileName).OfType<string>()],
            workingDirectory: OpsFiles.PrometheusTests);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("FAILED", result.Output);
        var successes = result.Stdout.Split('\n').Count(line => line.Trim() == "SUCCESS");
        Assert.Equal(OpsFiles.RuleTestFiles.Length, successes);
    }
}
