namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>
/// Stand-ins for programs a script runs (pg_dump through PG_BIN, age on PATH) that write their own command line to a
/// log and then exec the real program. What <c>ps</c> would show of each run is then known for certain, for this
/// test's runs only: no sampling loop can miss a short-lived process or catch another test's.
/// </summary>
public sealed class RecordingTools : IDisposable
{
    private readonly TempFolder _root = new("tp-recording-tools-");

    private RecordingTools()
    {
    }

    /// <summary>A folder with a recording stand-in for every program of <see cref="PostgresServer.BinDirectory"/>, for PG_BIN.</summary>
    public string PgBin { get; private set; } = null!;

    /// <summary>A folder to put before PATH, with recording stand-ins for the programs named.</summary>
    public string PathDirectory { get; private set; } = null!;

    private string LogFile => Path.Combine(_root.FullName, "calls.log");

    public static async Task<RecordingTools> CreateAsync(string postgresBin, params string[] onPath)
    {
        var tools = new RecordingTools();
        tools.PgBin = Directory.CreateDirectory(Path.Combine(tools._root.FullName, "pg")).FullName;
        foreach (var program in Directory.GetFiles(postgresBin))
        {
            await tools.WrapAsync(program, tools.PgBin);
        }
        tools.PathDirectory = Directory.CreateDirectory(Path.Combine(tools._root.FullName, "path")).FullName;
        foreach (var name in onPath)
        {
            var real = (await Command.RunAsync("bash", ["-c", $"command -v {name}"])).Stdout.Trim();
            Assert.True(real.Length > 0, $"{name} is not on PATH");
            await tools.WrapAsync(real, tools.PathDirectory);
        }
        return tools;
    }

    /// <summary>PATH with <see cref="PathDirectory"/> first.</summary>
    public string SearchPath => PathDirectory + ":" + Environment.GetEnvironmentVariable("PATH");

    /// <summary>Each run's program name and command line (its arguments joined by spaces), in the order they started.</summary>
    public IReadOnlyList<(string Program, string CommandLine)> Calls => File.Exists(LogFile)
        ? File.ReadAllLines(LogFile).Select(line => (line.Split(' ')[0], line)).ToList()
        : [];

    private async Task WrapAsync(string real, string directory)
    {
        var wrapper = Path.Combine(directory, Path.GetFileName(real));
        await File.WriteAllTextAsync(wrapper, $$"""
            #!/bin/sh
            # Records this run's command line as ps shows it (argv joined by spaces), then becomes the real program.
            printf '%s\n' "$(basename "$0") $*" >>'{{LogFile}}'
            exec '{{real}}' "$@"
            """);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the stand-ins are shell scripts");
        }
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => _root.Dispose();
}
