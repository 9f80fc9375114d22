using System.Reflection;

namespace TrainingPlatform.Tests.Release;

/// <summary>
/// The previous release's API, built from git history: the newest release tag before HEAD (the release checklist
/// tags every release and names the previous one with <see cref="PreviousTagCommand"/>), or, in a clone without
/// tags (CI's), the newest commit whose newest migration is older than this build's. It is checked out in a
/// temporary git worktree and only its API project is built, once (Release); both are removed afterwards. A shallow
/// clone lacks that history and fails with a message.
/// </summary>
public sealed partial class PreviousRelease : IAsyncLifetime
{
    /// <summary>The release checklist's command for the release running now (RunbookCommandTests holds them equal).</summary>
    public const string PreviousTagCommand = "git describe --tags --abbrev=0 --match 'v[0-9]*' HEAD^";

    private const string MigrationsFolder = "TrainingPlatform.Api/Data/Migrations";

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("tp-previous-release-");

    /// <summary>Every migration version this build has, oldest first.</summary>
    public static IReadOnlyList<long> CurrentMigrations { get; } = typeof(Program).Assembly.GetTypes()
        .Select(type => type.GetCustomAttribute<FluentMigrator.MigrationAttribute>()?.Version).OfType<long>().Order().ToArray();

    /// <summary>How the commit was chosen, for failure messages.</summary>
    public string Description { get; private set; } = "";

    /// <summary>The newest migration the previous release knows.</summary>
    public long NewestMigration { get; private set; }

    /// <summary>The build output, as an image holds it: TrainingPlatform.Api.dll and its dependencies.</summary>
    public string ImageDirectory => Path.Combine(Tree, "TrainingPlatform.Api", "bin", "Release", "net10.0");

    private string Tree => Path.Combine(_root.FullName, "tree");

    public async Task InitializeAsync()
    {
        try
        {
            (var commit, Description) = await FindAsync();
            NewestMigration = await NewestMigrationAsync(commit)
                ?? throw new InvalidOperationException($"the previous release ({Description}) has no migrations");
            await GitAsync("worktree", "add", "--detach", Tree, commit);
            // No build servers: nothing the test starts may outlive it. No analyzers or documentation file: that release
            // passed them when it was made, and here they cost about 15 % of the build's CPU.
            var build = await Command.RunAsync("dotnet",
                ["build", Path.Combine(Tree, "TrainingPlatform.Api", "TrainingPlatform.Api.csproj"), "-c", "Release", "-nologo",
                    "-clp:ErrorsOnly", "--disable-build-servers", "-p:RunAnalyzers=false", "-p:GenerateDocumentationFile=false"],
                timeout: TimeSpan.FromMinutes(5), workingDirectory: Tree);
            if (build.ExitCode != 0)
            {
                throw new InvalidOperationException($"building the previous release ({Description}) failed: {build}");
            }
        }
        catch
        {
            // xunit does not dispose a fixture whose initialisation failed.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        // Removes the directory too, and the worktree's entry in the repository.
        await Command.RunAsync("git", ["worktree", "remove", "--force", Tree]);
        if (Directory.Exists(_root.FullName))
        {
            _root.Delete(recursive: true);
        }
        await Command.RunAsync("git", ["worktree", "prune"]);
    }

    private static async Task<(string Commit, string Description)> FindAsync()
    {
        var tag = await Command.RunAsync("bash", ["-c", PreviousTagCommand]);
        if (tag.ExitCode == 0)
        {
            var name = tag.Stdout.Trim();
            return (await GitAsync("rev-parse", $"{name}^{{commit}}"), $"tag {name}");
        }
        var current = CurrentMigrations[^1];
        foreach (var commit in (await GitAsync("rev-list", "--first-parent", "HEAD")).Split('\n'))
        {
            var newest = await NewestMigrationAsync(commit);
            if (newest is null)
            {
                break;
            }
            if (newest < current)
            {
                return (commit, $"commit {commit[..10]}, the newest before migration {current} (no release tag in this clone)");
            }
        }
        throw new InvalidOperationException(
            $"no commit in this clone's history predates migration {current}: a shallow clone? (git fetch --unshallow --tags)");
    }

    /// <summary>The newest migration at <paramref name="commit"/>, from the file names (<c>M{version}_{name}.cs</c>; MigrationRulesTests holds the files to it).</summary>
    private static async Task<long?> NewestMigrationAsync(string commit) =>
        (await GitAsync("ls-tree", "--name-only", commit, $"{MigrationsFolder}/")).Split('\n')
            .Select(path => MigrationFileName().Match(Path.GetFileName(path)))
            .Where(match => match.Success)
            .Select(match => (long?)long.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture))
            .Max();

    private static async Task<string> GitAsync(params string[] arguments)
    {
        var git = await Command.RunAsync("git", arguments);
        return git.ExitCode == 0 ? git.Stdout.Trim() : throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {git}");
    }

    [GeneratedRegex(@"^M(?<version>\d{12})_\w+\.cs$")]
    internal static partial Regex MigrationFileName();
}
