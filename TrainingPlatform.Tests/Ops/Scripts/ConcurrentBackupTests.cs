using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>
/// Backups to one folder started in the same second (cron and a "Back up now" click, two replicas' jobs): each run
/// keeps names of its own, and a failing run removes only what it wrote. The runs meet at pg_dump (a wrapper holds
/// each until both arrived, after both chose their names), and a case is repeated when they straddled a second.
/// </summary>
[UnsupportedOSPlatform("windows")] // file modes
public sealed partial class ConcurrentBackupTests : IDisposable
{
    private readonly TempFolder _root = new("tp-concurrent-");
    private readonly string _backups;

    public ConcurrentBackupTests()
    {
        _backups = Directory.CreateDirectory(Path.Combine(_root.FullName, "backups")).FullName;
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Two_backups_started_in_the_same_second_are_both_complete_and_verified()
    {
        var database = await DrillDatabase.CreateSeededAsync();
        var bin = await ToolFolderAsync(database, "healthy", failingListing: false);

        var (first, second) = await InTheSameSecondAsync(() => BackupAsync(database, bin), () => BackupAsync(database, bin));

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        var locations = new[] { first, second }.Select(Location).ToArray();
        Assert.NotEqual(locations[0], locations[1]);
        foreach (var dump in locations)
        {
            await AssertCompleteAsync(database, dump);
        }
        Assert.Empty(Directory.GetFiles(_backups, "*.partial*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_failing_run_leaves_the_files_of_a_run_started_in_the_same_second_alone()
    {
        var database = await DrillDatabase.CreateSeededAsync();
        var healthy = await ToolFolderAsync(database, "healthy", failingListing: false);
        var failing = await ToolFolderAsync(database, "failing", failingListing: true);

        // The failing run fails only once the healthy one has finished, so its cleanup meets the finished backup.
        var (good, bad) = await InTheSameSecondAsync(
            async () =>
            {
                var result = await BackupAsync(database, healthy);
                await File.WriteAllTextAsync(ReleasePath, "");
                return result;
            },
            () => BackupAsync(database, failing));

        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("simulated failure", bad.Stderr);
        var dump = Location(good);
        await AssertCompleteAsync(database, dump);
        Assert.Equal(
            new[] { dump, dump + ".json", dump + ".sha256" },
            Directory.GetFiles(_backups, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
    }

    private string BarrierPath => Path.Combine(_root.FullName, "barrier");
    private string DumpLogPath => Path.Combine(_root.FullName, "dump-files.log");
    private string ReleasePath => Path.Combine(_root.FullName, "release");

    /// <summary>Runs both at once, again (up to three times) while the dumps' names show different seconds.</summary>
    private async Task<(CommandResult, CommandResult)> InTheSameSecondAsync(Func<Task<CommandResult>> first, Func<Task<CommandResult>> second)
    {
        for (var attempt = 1; ; attempt++)
        {
            Directory.CreateDirectory(BarrierPath).Delete(recursive: true);
            Directory.CreateDirectory(BarrierPath);
            File.Delete(DumpLogPath);
            File.Delete(ReleasePath);
            foreach (var day in Directory.GetDirectories(_backups))
            {
                Directory.Delete(day, recursive: true);
            }

            var results = await Task.WhenAll(first(), second());

            var seconds = File.ReadAllLines(DumpLogPath).Select(file => Stamp().Match(file).Value).Distinct().ToList();
            Assert.Equal(2, File.ReadAllLines(DumpLogPath).Length);
            if (seconds.Count == 1 || attempt == 3)
            {
                Assert.Single(seconds);
                return (results[0], results[1]);
            }
        }
    }

    private Task<CommandResult> BackupAsync(DrillDatabase database, string bin) =>
        Command.RunScriptAsync("backup.sh", ["--json"], new Dictionary<string, string>(database.Environment)
        {
            ["PG_BIN"] = bin,
            ["BACKUP_DIR"] = _backups,
            ["BACKUP_RETENTION_DAYS"] = "0",
        });

    /// <summary>
    /// A PG_BIN with the real psql, a pg_dump that waits for the other run (bounded) before dumping, and the real
    /// pg_restore, or one that fails once the release file exists.
    /// </summary>
    private async Task<string> ToolFolderAsync(DrillDatabase database, string name, bool failingListing)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_root.FullName, name)).FullName;
        var real = database.Server.BinDirectory;
        File.CreateSymbolicLink(Path.Combine(bin, "psql"), Path.Combine(real, "psql"));
        await WriteScriptAsync(Path.Combine(bin, "pg_dump"), $$"""
            for argument in "$@"; do
              if [[ $argument == --file=* ]]; then printf '%s\n' "${argument#--file=}" >>"{{DumpLogPath}}"; fi
            done
            touch "{{BarrierPath}}/$$"
            for _ in $(seq 1 200); do
              arrived=("{{BarrierPath}}"/*)
              if ((${#arrived[@]} >= 2)); then break; fi
              sleep 0.05
            done
            exec "{{real}}/pg_dump" "$@"
            """);
        if (failingListing)
        {
            await WriteScriptAsync(Path.Combine(bin, "pg_restore"), $$"""
                for _ in $(seq 1 1200); do
                  if [[ -e "{{ReleasePath}}" ]]; then break; fi
                  sleep 0.05
                done
                echo "simulated failure: the archive cannot be read" >&2
                exit 1
                """);
        }
        else
        {
            File.CreateSymbolicLink(Path.Combine(bin, "pg_restore"), Path.Combine(real, "pg_restore"));
        }
        return bin;
    }

    private static async Task WriteScriptAsync(string path, string body)
    {
        await File.WriteAllTextAsync(path, "#!/usr/bin/env bash\nset -euo pipefail\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static string Location(CommandResult backup)
    {
        using var result = JsonDocument.Parse(backup.Stdout);
        return result.RootElement.GetProperty("location").GetString()!;
    }

    /// <summary>The dump, its two sidecars agreeing with it, and an archive pg_restore reads.</summary>
    private static async Task AssertCompleteAsync(DrillDatabase database, string dump)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(dump)));
        Assert.Equal($"{sha256}  {Path.GetFileName(dump)}\n", await File.ReadAllTextAsync(dump + ".sha256"));
        using (var sidecar = JsonDocument.Parse(await File.ReadAllTextAsync(dump + ".json")))
        {
            Assert.Equal(sha256, sidecar.RootElement.GetProperty("sha256").GetString());
        }
        var listing = await Command.RunAsync(Path.Combine(database.Server.BinDirectory, "pg_restore"), ["--list", dump]);
        Assert.True(listing.ExitCode == 0, listing.ToString());
        Assert.Contains("TABLE DATA public users", listing.Stdout);
    }

    [GeneratedRegex(@"\d{8}T\d{6}Z")]
    private static partial Regex Stamp();
}
