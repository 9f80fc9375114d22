using System.Text.Json;
using System.Text.RegularExpressions;

namespace TrainingPlatform.Tests.Ops.Slo;

internal sealed record ScrapeTarget(string Address, string Service);

internal sealed record ProbeTarget(string ExporterAddress, string Url, string Service);

/// <summary>
/// Faster clocks for a test run only: scrape and evaluation every <see cref="Interval"/>, every alert's
/// <c>for</c> shortened to <see cref="AlertFor"/>. The committed files keep their production values.
/// </summary>
internal sealed record TestClock(string Interval, string AlertFor);

/// <summary>
/// A copy of ops/prometheus in a temporary directory, with the targets files the AppHost renders
/// at start, so the committed config is what Prometheus loads.
/// </summary>
internal sealed partial class PrometheusConfigCopy : IDisposable
{
    private PrometheusConfigCopy(string directory, TestClock? clock)
    {
        Directory = directory;
        Clock = clock;
    }

    public string Directory { get; }
    public TestClock? Clock { get; }
    public string ConfigFile => Path.Combine(Directory, "prometheus.yml");
    public string BlackboxConfigFile => Path.Combine(Directory, "blackbox.yml");

    public static PrometheusConfigCopy Render(
        IEnumerable<ScrapeTarget> services,
        IEnumerable<ProbeTarget> probes,
        int prometheusPort = 9090,
        TestClock? clock = null,
        IEnumerable<string>? alertmanagers = null)
    {
        var copy = new PrometheusConfigCopy(System.IO.Directory.CreateTempSubdirectory("tp-prometheus-").FullName, clock);
        System.IO.Directory.CreateDirectory(Path.Combine(copy.Directory, "rules"));
        System.IO.Directory.CreateDirectory(Path.Combine(copy.Directory, "targets"));

        var config = File.ReadAllText(Path.Combine(OpsFiles.Prometheus, "prometheus.yml"));
        if (clock is not null)
        {
            config = Replace(config, "scrape_interval: 15s", $"scrape_interval: {clock.Interval}");
            config = Replace(config, "evaluation_interval: 15s", $"evaluation_interval: {clock.Interval}");
        }
        File.WriteAllText(copy.ConfigFile, config);
        File.Copy(Path.Combine(OpsFiles.Prometheus, "blackbox.yml"), copy.BlackboxConfigFile);

        foreach (var ruleFile in OpsFiles.RuleFiles)
        {
            var rules = File.ReadAllText(ruleFile);
            if (clock is not null)
            {
                rules = ForClause().Replace(rules, "${indent}for: " + clock.AlertFor);
            }
            File.WriteAllText(Path.Combine(copy.Directory, "rules", Path.GetFileName(ruleFile)), rules);
        }

        WriteTargets(Path.Combine(copy.Directory, "targets", "prometheus.json"),
            new[] { new { targets = new[] { $"127.0.0.1:{prometheusPort}" } } });
        WriteTargets(Path.Combine(copy.Directory, "targets", "alertmanagers.json"),
            new[] { new { targets = (alertmanagers ?? []).ToArray() } });
        WriteTargets(Path.Combine(copy.Directory, "targets", "services.json"),
            services.Select(s => new { targets = new[] { s.Address }, labels = new Dictionary<string, string> { ["service"] = s.Service } }));
        WriteTargets(Path.Combine(copy.Directory, "targets", "probes.json"),
            probes.Select(p => new
            {
                targets = new[] { p.ExporterAddress },
                labels = new Dictionary<string, string> { ["__param_target"] = p.Url, ["service"] = p.Service },
            }));
        return copy;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private static string Replace(string text, string from, string to) =>
        text.Contains(from) ? text.Replace(from, to) : throw new InvalidOperationException($"prometheus.yml no longer contains '{from}'.");

    private static void WriteTargets<T>(string path, IEnumerable<T> groups) =>
        File.WriteAllText(path, JsonSerializer.Serialize(groups.ToArray()));

    [GeneratedRegex(@"^(?<indent>\s+)for: \S+$", RegexOptions.Multiline)]
    private static partial Regex ForClause();
}
