using System.Reflection;

namespace TrainingPlatform.Tests.Release;

/// <summary>
/// The previous release's API, built from git history by <c>build-previous-release.sh</c> (next to this file), which says
/// how the release is chosen. <c>./test.sh</c> builds it before the test run and names the folder in
/// <see cref="PrebuiltVariable"/>; without it (a test run without <c>./test.sh</c>) the fixture runs the script itself,
/// once, into a temporary folder it removes afterwards. A shallow clone lacks the history and fails with a message.
/// </summary>
public sealed partial class PreviousRelease : IAsyncLifetime
{
    /// <summary>The release checklist's command for the release running now (RunbookCommandTests holds them and the script equal).</summary>
    public const string PreviousTagCommand = "git describe --tags --abbrev=0 --match 'v[0-9]*' HEAD^";

    /// <summary>The folder where <c>./test.sh</c> built the previous release.</summary>
    public const string PrebuiltVariable = "TP_PREVIOUS_RELEASE_DIR";

    public static string Script { get; } = Path.Combine(RepositoryRoot.Path, "TrainingPlatform.Tests", "Release", "build-previous-release.sh");

    private DirectoryInfo? _built;
    private string _directory = "";

    /// <summary>Every migration version this build has, oldest first.</summary>
    public static IReadOnlyList<long> CurrentMigrations { get; } = typeof(Program).Assembly.GetTypes()
        .Select(type => type.GetCustomAttribute<FluentMigrator.MigrationAttribute>()?.Version).OfType<long>().Order().ToArray();

    /// <summary>How the commit was chosen, for failure messages.</summary>
    public string Description { get; private set; } = "";

    /// <summary>The newest migration the previous release knows.</summary>
    public long NewestMigration { get; private set; }

    /// <summary>The build output, as an image holds it: TrainingPlatform.Api.dll and its dependencies.</summary>
    public string ImageDirectory => Path.Combine(_directory, "tree", "TrainingPlatform.Api", "bin", "Release", "net10.0");

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(PrebuiltVariable) is { Length: > 0 } prebuilt)
        {
            _directory = prebuilt;
        }
        else
        {
            _built = Directory.CreateTempSubdirectory("tp-previous-release-");
            _directory = _built.FullName;
            var build = await Command.RunAsync(Script, [_directory], timeout: TimeSpan.FromMinutes(5));
            if (build.ExitCode != 0)
            {
                // xunit does not dispose a fixture whose initialisation failed.
                await DisposeAsync();
                throw new InvalidOperationException($"building the previous release failed: {build}");
            }
        }
        using var release = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_directory, "release.json")));
        Description = release.RootElement.GetProperty("description").GetString()!;
        NewestMigration = release.RootElement.GetProperty("newest_migration").GetInt64();
    }

    public Task DisposeAsync()
    {
        // Only what the fixture built; ./test.sh removes its own run folder.
        _built?.Delete(recursive: true);
        return Task.CompletedTask;
    }

    [GeneratedRegex(@"^M(?<version>\d{12})_\w+\.cs$")]
    internal static partial Regex MigrationFileName();
}
