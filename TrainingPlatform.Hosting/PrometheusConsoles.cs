namespace TrainingPlatform.Hosting;

/// <summary>
/// Prometheus's console templates: the SLO page generated into ops/prometheus/consoles (ops/slo/generate.sh), rendered
/// with the example console libraries Debian's <c>prometheus</c> package ships as documentation (prom.lib: the page's
/// styles and scripts). Local mode serves it at /consoles/slo.html; Prometheus 3's images ship no libraries.
/// </summary>
public static class PrometheusConsoles
{
    public const string SloPage = "/consoles/slo.html";

    // Where Debian's prometheus package puts the example libraries (2.42: under its documentation).
    private static readonly string[] LibraryDirectories =
    [
        "/usr/share/doc/prometheus/examples/console_libraries",
        "/usr/share/prometheus/console_libraries",
        "/etc/prometheus/console_libraries",
    ];

    /// <summary>The flags that serve <c>ops/prometheus/consoles</c> of <paramref name="opsDirectory"/>.</summary>
    public static string[] Arguments(string opsDirectory) =>
    [
        "--web.console.templates=" + Path.Combine(opsDirectory, "prometheus", "consoles"),
        "--web.console.libraries=" + Libraries(),
    ];

    private static string Libraries() =>
        LibraryDirectories.FirstOrDefault(directory => File.Exists(Path.Combine(directory, "prom.lib")))
        ?? throw new InvalidOperationException(
            $"No Prometheus console library (prom.lib) in {string.Join(", ", LibraryDirectories)}. Install it with: " +
            $"{LocalProgram.Prometheus.InstallCommand}; on an image whose dpkg excludes /usr/share/doc (a path-exclude in " +
            "/etc/dpkg/dpkg.cfg.d/), drop that exclusion and reinstall the package.");
}
