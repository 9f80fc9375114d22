using System.Text.Json;

namespace TrainingPlatform.AppHost;

/// <summary>
/// The Prometheus configuration the stack runs with: ops/prometheus copied into the stack's data directory, plus
/// file_sd target lists written once the real (dynamically allocated) addresses are known. Prometheus watches
/// the target files, so it follows the services without a restart.
/// </summary>
public sealed class PrometheusConfiguration
{
    private PrometheusConfiguration(string directory) => Directory = directory;

    public string Directory { get; }
    public string ConfigFile => Path.Combine(Directory, "prometheus.yml");
    private string TargetsDirectory => Path.Combine(Directory, "targets");

    public static PrometheusConfiguration Render(StackSettings stack)
    {
        var source = Path.Combine(stack.OpsDirectory, "prometheus");
        var target = Path.Combine(stack.DataDirectory, "prometheus");
        System.IO.Directory.CreateDirectory(Path.Combine(target, "rules"));
        System.IO.Directory.CreateDirectory(Path.Combine(target, "targets"));
        foreach (var file in new[] { "prometheus.yml", "blackbox.yml" })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(target, file), overwrite: true);
        }
        foreach (var stale in System.IO.Directory.GetFiles(Path.Combine(target, "rules")))
        {
            File.Delete(stale);
        }
        foreach (var rules in System.IO.Directory.GetFiles(Path.Combine(source, "rules"), "*.yml"))
        {
            File.Copy(rules, Path.Combine(target, "rules", Path.GetFileName(rules)));
        }
        return new PrometheusConfiguration(target);
    }

    /// <summary>Writes <c>targets/prometheus.json</c>: where Prometheus scrapes itself.</summary>
    public void WriteSelfTarget(string hostAndPort) =>
        Write("prometheus.json", [new TargetGroup([hostAndPort], [])]);

    /// <summary>Writes <c>targets/services.json</c>: each service's metrics address, labelled with its name.</summary>
    public void WriteServiceTargets(IEnumerable<(string Service, string HostAndPort)> services) =>
        Write("services.json", services.Select(s => new TargetGroup([s.HostAndPort], new() { ["service"] = s.Service })));

    /// <summary>Writes <c>targets/probes.json</c>: the blackbox exporter, told which health URL to probe for each service.</summary>
    public void WriteProbeTargets(string blackboxHostAndPort, IEnumerable<(string Service, string HealthUrl)> probes) =>
        Write("probes.json", probes.Select(p => new TargetGroup(
            [blackboxHostAndPort], new() { ["service"] = p.Service, ["__param_target"] = p.HealthUrl })));

    private void Write(string fileName, IEnumerable<TargetGroup> groups)
    {
        // Write then rename: Prometheus must never read a half-written target file.
        var path = Path.Combine(TargetsDirectory, fileName);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(groups, JsonOptions));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private sealed record TargetGroup(string[] Targets, Dictionary<string, string> Labels);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
