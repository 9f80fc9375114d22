namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>The monitoring tools the tests run for real; a missing one fails with what to install.</summary>
internal static class MonitoringBinaries
{
    public static string Promtool => Find("promtool", "apt-get install prometheus");
    public static string Prometheus => Find("prometheus", "apt-get install prometheus");
    public static string BlackboxExporter => Find("prometheus-blackbox-exporter", "apt-get install prometheus-blackbox-exporter");
    public static string Alertmanager => Find("prometheus-alertmanager", "apt-get install prometheus-alertmanager");
    public static string Amtool => Find("amtool", "apt-get install prometheus-alertmanager");

    private static string Find(string name, string install)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"'{name}' was not found on PATH or in /usr/bin. Install it: {install}");
    }
}
