namespace TrainingPlatform.AppHost;

/// <summary>
/// Finds the programs local mode runs. A missing one stops the AppHost with the package to install,
/// instead of leaving a resource stuck in "Waiting".
/// </summary>
public static class LocalBinaries
{
    public static bool IsRoot => Environment.UserName == "root";

    public static string PostgresBin()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PG_BIN");
        var candidates = !string.IsNullOrEmpty(fromEnvironment)
            ? [fromEnvironment]
            : Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderDescending().ToArray()
                : [];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres")) && File.Exists(Path.Combine(d, "initdb")))
            ?? throw Missing("postgres/initdb (PostgreSQL server)", "postgresql-15", "or set PG_BIN to the directory holding them");
    }

    public static string Find(string program, string package) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists)
        ?? throw Missing(program, package);

    private static InvalidOperationException Missing(string program, string package, string? hint = null) => new(
        $"Local stack mode needs '{program}', which is not installed. Install it with: sudo apt-get install -y {package}" +
        (hint is null ? "" : $" ({hint})") + ", or run with --stack containers on a machine with Docker or Podman.");
}
