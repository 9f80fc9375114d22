namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>
/// ops/prometheus rendered into a temporary folder the way the AppHost renders it, with the given targets, so the
/// committed config is what a test's Prometheus loads. A <see cref="PrometheusClock"/> speeds it up for the test.
/// </summary>
internal sealed class PrometheusConfigCopy : IDisposable
{
    private PrometheusConfigCopy(PrometheusConfiguration configuration, PrometheusClock? clock)
    {
        Configuration = configuration;
        Clock = clock;
    }

    public PrometheusConfiguration Configuration { get; }
    public PrometheusClock? Clock { get; }
    public string Directory => Configuration.Directory;
    public string ConfigFile => Configuration.ConfigFile;

    public static PrometheusConfigCopy Render(IEnumerable<ScrapeTarget> services, IEnumerable<(string ExporterAddress, ProbeTarget Probe)> probes,
        int prometheusPort = 9090, PrometheusClock? clock = null, IEnumerable<string>? alertmanagers = null)
    {
        var configuration = PrometheusConfiguration.Render(Path.Combine(OpsFiles.RepositoryRoot, "ops"),
            System.IO.Directory.CreateTempSubdirectory("tp-prometheus-").FullName, clock);
        configuration.WriteSelfTarget($"127.0.0.1:{prometheusPort}");
        configuration.WriteServiceTargets(services);
        configuration.WriteAlertmanagerTargets(alertmanagers ?? []);
        foreach (var group in probes.GroupBy(p => p.ExporterAddress))
        {
            configuration.WriteProbeTargets(group.Key, group.Select(p => p.Probe));
        }
        return new PrometheusConfigCopy(configuration, clock);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
