using System.Runtime.Versioning;

namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary><c>restore.sh pitr --list</c> and a restore on a repository that holds nothing: a clear error, exit 1, nothing created.</summary>
[UnsupportedOSPlatform("windows")] // file modes
public sealed class PitrListTests
{
    [Fact]
    public async Task An_empty_repository_is_refused_with_the_reason_by_list_and_by_a_restore()
    {
        using var root = new TempFolder("tp-pitr-empty-");
        // The postgres user (pgBackRest's, as root) must reach the configuration.
        File.SetUnixFileMode(root.FullName, File.GetUnixFileMode(root.FullName) | UnixFileMode.OtherExecute);
        var config = PitrArchive.RenderConfig(Path.Combine(root.FullName, "pgbackrest"),
            new PitrRepository(Path.Combine(root.FullName, "repo"), null, "cipher-pass-of-the-test", 7),
            Path.Combine(root.FullName, "data"), Path.Combine(root.FullName, "socket"));
        var environment = new Dictionary<string, string> { ["PGBACKREST_CONFIG"] = config };

        var list = await Command.RunScriptAsync("restore.sh", ["pitr", "--list"], environment);
        Assert.Equal(1, list.ExitCode);
        Assert.Contains($"no backup to recover from in stanza {PitrArchive.Stanza}", list.Stderr);

        var target = Path.Combine(root.FullName, "restored");
        var restore = await Command.RunScriptAsync("restore.sh", ["pitr", "--to-latest", "--data-dir", target], environment);
        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("no backup to recover from", restore.Stderr);
        Assert.False(Directory.Exists(target), "a failed restore created its target directory");
    }
}
