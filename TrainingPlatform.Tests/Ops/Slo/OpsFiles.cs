using TrainingPlatform.Slo;

namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>The committed ops files, in the checkout the tests run from.</summary>
internal static class OpsFiles
{
    public static string RepositoryRoot => Infrastructure.RepositoryRoot.Path;
    public static string Prometheus => Path.Combine(RepositoryRoot, "ops", "prometheus");
    public static string PrometheusRules => Path.Combine(Prometheus, "rules");
    public static string PrometheusTests => Path.Combine(Prometheus, "tests");
    public static string Grafana => Path.Combine(RepositoryRoot, "ops", "grafana");
    public static string GrafanaDashboards => Path.Combine(Grafana, "dashboards");
    public static string SlosDoc => Path.Combine(RepositoryRoot, "ops", "docs", "slos.md");
    public static string RunbooksDoc => Path.Combine(RepositoryRoot, "ops", "docs", "runbooks.md");
    public static string AlertmanagerConfig => Path.Combine(RepositoryRoot, "ops", "alertmanager", "alertmanager.yml");

    /// <summary>ops/slo/slos.yaml, read as the generator reads it.</summary>
    public static SloSpec SloSpec => SloSpecReader.Read(Path.Combine(RepositoryRoot, Generated.SpecFile));

    public static string[] RuleFiles => Directory.GetFiles(PrometheusRules, "*.yml").Order().ToArray();
    public static string[] RuleTestFiles => Directory.GetFiles(PrometheusTests, "*.yml").Order().ToArray();
    public static string[] DashboardFiles => Directory.GetFiles(GrafanaDashboards, "*.json").Order().ToArray();
}
