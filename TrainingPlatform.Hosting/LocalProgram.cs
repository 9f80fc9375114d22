using System.Reflection;

namespace TrainingPlatform.Hosting;

/// <summary>
/// A program the stack or the tests run from the machine. Its package comes from ops/prerequisites.tsv, the same
/// table ops/scripts/prerequisites.sh installs from, so a missing program names what to install: a Debian package,
/// or <c>dotnet-tool:Id@version</c> for a .NET tool installed globally (into ~/.dotnet/tools).
/// </summary>
public sealed record LocalProgram(string Name, string Package)
{
    // First: the static properties below read it, and static initialisers run in textual order.
    private static readonly Dictionary<string, string> Packages = ReadPackages();

    public static LocalProgram Postgres { get; } = Declared("postgres");
    public static LocalProgram Initdb { get; } = Declared("initdb");
    public static LocalProgram Prometheus { get; } = Declared("prometheus");
    public static LocalProgram Promtool { get; } = Declared("promtool");
    public static LocalProgram BlackboxExporter { get; } = Declared("prometheus-blackbox-exporter");
    public static LocalProgram Alertmanager { get; } = Declared("prometheus-alertmanager");
    public static LocalProgram Amtool { get; } = Declared("amtool");
    public static LocalProgram Smtp4dev { get; } = Declared("smtp4dev");

    private const string DotnetToolPrefix = "dotnet-tool:";

    /// <summary>The program's full path, or an exception saying which package to install.</summary>
    public string Path => Locate() ?? throw new MissingProgramException(this);

    public bool IsInstalled => Locate() is not null;

    /// <summary>The command that installs the program, for messages.</summary>
    public string InstallCommand => Package.StartsWith(DotnetToolPrefix, StringComparison.Ordinal)
        && Package[DotnetToolPrefix.Length..].Split('@') is [var tool, var version]
            ? $"dotnet tool install --global {tool} --version {version}"
            : $"sudo apt-get install -y {Package}";

    /// <summary>A program listed in ops/prerequisites.tsv.</summary>
    public static LocalProgram Declared(string name) =>
        Packages.TryGetValue(name, out var package)
            ? new LocalProgram(name, package)
            : throw new ArgumentException($"'{name}' is not listed in ops/prerequisites.tsv.", nameof(name));

    private string? Locate() => SearchDirectories()
        .Select(directory => System.IO.Path.Combine(directory, Name))
        .FirstOrDefault(File.Exists);

    // PATH first; then the directories Debian keeps programs in that a service account's PATH may lack, and the
    // versioned PostgreSQL server directory (newest first), which is on nobody's PATH. PG_BIN picks another build.
    private static IEnumerable<string> SearchDirectories()
    {
        if (Environment.GetEnvironmentVariable("PG_BIN") is { Length: > 0 } pgBin)
        {
            yield return pgBin;
        }
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return directory;
        }
        yield return "/usr/bin";
        yield return "/usr/sbin";
        // Global .NET tools, often missing from PATH (services, CI shells).
        yield return System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools");
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            foreach (var version in Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, VersionOrder.Instance))
            {
                yield return System.IO.Path.Combine(version, "bin");
            }
        }
    }

    private static Dictionary<string, string> ReadPackages()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("prerequisites.tsv")
            ?? throw new InvalidOperationException("ops/prerequisites.tsv is not embedded in TrainingPlatform.Hosting.");
        using var reader = new StreamReader(stream);
        var packages = new Dictionary<string, string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#') && line.Split('\t') is [var program, var package, ..])
            {
                packages[program] = package;
            }
        }
        return packages;
    }

    // "15" before "9": PostgreSQL's directories are major versions.
    private sealed class VersionOrder : IComparer<string>
    {
        public static readonly VersionOrder Instance = new();

        public int Compare(string? x, string? y) => Major(x).CompareTo(Major(y));

        private static int Major(string? directory) =>
            int.TryParse(System.IO.Path.GetFileName(directory), out var major) ? major : -1;
    }
}

/// <summary>A program local mode or a test needs is not installed; the message says how to install it.</summary>
public sealed class MissingProgramException(LocalProgram program) : InvalidOperationException(
    $"'{program.Name}' is not installed (looked in PG_BIN, PATH, /usr/bin, /usr/sbin, ~/.dotnet/tools and /usr/lib/postgresql/*/bin). " +
    $"Install it with: {program.InstallCommand} (or run ops/scripts/prerequisites.sh)")
{
    public LocalProgram Program { get; } = program;
}
