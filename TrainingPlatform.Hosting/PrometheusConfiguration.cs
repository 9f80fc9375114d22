using System.Text.Json;
using System.Text.RegularExpressions;

namespace TrainingPlatform.Hosting;

/// <summary>A service's metrics address; <paramref name="Replica"/> tells the replicas of one service apart.</summary>
public sealed record ScrapeTarget(string Service, string HostAndPort, string? Replica = null);

/// <summary>A health URL the blackbox exporter probes for a service.</summary>
public sealed record ProbeTarget(string Service, string HealthUrl);

/// <summary>
/// Faster clocks for a test run: scrape and evaluation every <paramref name="Interval"/>, and, when given, every
/// alert's <c>for</c> shortened to <paramref name="AlertFor"/>. Without one, the committed production values hold.
/// </summary>
public sealed record PrometheusClock(string Interval, string? AlertFor = null);

/// <summary>
/// The Prometheus configuration a running Prometheus reads: ops/prometheus copied into a folder, plus the file_sd
/// target lists written once the real (dynamically allocated) addresses are known. Prometheus watches the target
/// files, so it follows the services without a restart. The AppHost, the tests and the benchmarks all render it here.
/// </summary>
public sealed partial class PrometheusConfiguration
{
    private PrometheusConfiguration(string directory) => Directory = directory;

    public string Directory { get; }
    public string ConfigFile => Path.Combine(Directory, "prometheus.yml");
    public string BlackboxConfigFile => Path.Combine(Directory, "blackbox.yml");
    public string TargetsDirectory => Path.Combine(Directory, "targets");

    /// <summary>Copies <c>ops/prometheus</c> (config, blackbox module, rules) into <paramref name="directory"/>.</summary>
    public static PrometheusConfiguration Render(string opsDirectory, string directory, PrometheusClock? clock = null)
    {
        var source = Path.Combine(opsDirectory, "prometheus");
        var rules = Path.Combine(directory, "rules");
        System.IO.Directory.CreateDirectory(rules);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "targets"));
        foreach (var stale in System.IO.Directory.GetFiles(rules))
        {
            File.Delete(stale);
        }

        var config = File.ReadAllText(Path.Combine(source, "prometheus.yml"));
        if (clock is not null)
        {
            config = Replace(config, "scrape_interval: 15s", $"scrape_interval: {clock.Interval}");
            config = Replace(config, "evaluation_interval: 15s", $"evaluation_interval: {clock.Interval}");
        }
        File.WriteAllText(Path.Combine(directory, "prometheus.yml"), config);
        File.Copy(Path.Combine(source, "blackbox.yml"), Path.Combine(directory, "blackbox.yml"), overwrite: true);
        foreach (var ruleFile in System.IO.Directory.GetFiles(Path.Combine(source, "rules"), "*.yml"))
        {
            var text = File.ReadAllText(ruleFile);
            if (clock?.AlertFor is { } alertFor)
            {
                text = ForClause().Replace(text, "${indent}for: " + alertFor);
            }
            File.WriteAllText(Path.Combine(rules, Path.GetFileName(ruleFile)), text);
        }
        return new PrometheusConfiguration(directory);
    }

    /// <summary>Writes <c>targets/prometheus.json</c>: where Prometheus scrapes itself.</summary>
    public void WriteSelfTarget(string hostAndPort) =>
        Write("prometheus.json", [new TargetGroup([hostAndPort], [])]);

    /// <summary>
    /// Writes <c>targets/services.json</c>: one target per process, labelled with its service (and replica), so
    /// every replica's series stay apart under their own <c>instance</c>.
    /// </summary>
    public void WriteServiceTargets(IEnumerable<ScrapeTarget> targets) => Write("services.json", targets.Select(Group));

    /// <summary>
    /// Writes <c>targets/backups.json</c>: the backup service, a job of its own so that its HTTP series (POST /backups,
    /// health checks) stay out of the request-serving services' SLOs.
    /// </summary>
    public void WriteBackupTargets(IEnumerable<ScrapeTarget> targets) => Write("backups.json", targets.Select(Group));

    /// <summary>Writes <c>targets/postgres.json</c>: postgres_exporter, where the stack runs one (none: an empty list).</summary>
    public void WritePostgresTargets(IEnumerable<string> hostAndPorts) =>
        Write("postgres.json", hostAndPorts.Any() ? [new TargetGroup([.. hostAndPorts], new() { ["service"] = "postgres" })] : []);

    /// <summary>Writes <c>targets/probes.json</c>: the blackbox exporter, told which health URL to probe for each service.</summary>
    public void WriteProbeTargets(string blackboxHostAndPort, IEnumerable<ProbeTarget> probes) =>
        Write("probes.json", probes.Select(p => new TargetGroup(
            [blackboxHostAndPort], new() { ["service"] = p.Service, ["__param_target"] = p.HealthUrl })));

    /// <summary>
    /// Writes <c>targets/alertmanagers.json</c>: where Prometheus sends its alerts (none: an empty list), and scrapes
    /// Alertmanager's own metrics (job <c>alertmanager</c>).
    /// </summary>
    public void WriteAlertmanagerTargets(IEnumerable<string> hostAndPorts) =>
        Write("alertmanagers.json", hostAndPorts.Any() ? [new TargetGroup([.. hostAndPorts], [])] : []);

    private static TargetGroup Group(ScrapeTarget target) => new([target.HostAndPort],
        target.Replica is null ? new() { ["service"] = target.Service } : new() { ["service"] = target.Service, ["replica"] = target.Replica });

    private void Write(string fileName, IEnumerable<TargetGroup> groups)
    {
        // Write then rename: Prometheus must never read a half-written target file.
        var path = Path.Combine(TargetsDirectory, fileName);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(groups, JsonOptions));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static string Replace(string text, string from, string to) =>
        text.Contains(from) ? text.Replace(from, to) : throw new InvalidOperationException($"prometheus.yml no longer contains '{from}'.");

    [GeneratedRegex(@"^(?<indent>\s+)for: \S+$", RegexOptions.Multiline)]
    private static partial Regex ForClause();

    private sealed record TargetGroup(string[] Targets, Dictionary<string, string> Labels);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
