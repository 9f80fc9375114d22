using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>Backups to a local folder (BACKUP_DIR), as the stack's "Back up now" makes them, and the restore guard.</summary>
[UnsupportedOSPlatform("windows")] // file modes
public sealed class LocalBackupTests : IDisposable
{
    private readonly TempFolder _backups = new("tp-backups-");

    public void Dispose() => _backups.Dispose();

    [Fact]
    public async Task A_local_backup_restores_as_latest_and_old_backups_are_pruned()
    {
        var database = await DrillDatabase.CreateSeededAsync();
        var checksums = await database.TableChecksumsAsync();
        var old = PlantOldBackup(database.Name, "20200101T000000Z");
        // The folder a concurrent run has just created for its dump (just after midnight), still empty.
        var fresh = Directory.CreateDirectory(Path.Combine(_backups.FullName, database.Name, "2099", "01", "01"));
        var settings = Settings(database);
        settings["BACKUP_RETENTION_DAYS"] = "7";

        var backup = await Command.RunScriptAsync("backup.sh", ["--json"], settings);

        Assert.True(backup.ExitCode == 0, backup.ToString());
        using var result = JsonDocument.Parse(backup.Stdout);
        var dump = result.RootElement.GetProperty("location").GetString()!;
        Assert.StartsWith(Path.Combine(_backups.FullName, database.Name, DateTime.UtcNow.ToString("yyyy")), dump);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(dump)));
        Assert.Equal($"{sha256}  {Path.GetFileName(dump)}\n", await File.ReadAllTextAsync(dump + ".sha256"));
        using (var sidecar = JsonDocument.Parse(await File.ReadAllTextAsync(dump + ".json")))
        {
            Assert.Equal(sha256, sidecar.RootElement.GetProperty("sha256").GetString());
            Assert.Equal(await database.SchemaVersionAsync(), sidecar.RootElement.GetProperty("schema-version").GetString());
        }
        Assert.Equal(1, result.RootElement.GetProperty("pruned").GetInt32());
        Assert.False(File.Exists(old) || File.Exists(old + ".sha256") || File.Exists(old + ".json"));
        Assert.False(Directory.Exists(Path.Combine(_backups.FullName, database.Name, "2020")));
        Assert.True(Directory.Exists(fresh.FullName));
        Assert.Empty(Directory.GetFiles(_backups.FullName, "*.partial", SearchOption.AllDirectories));

        await database.WreckAsync();
        var restore = await Command.RunScriptAsync("restore.sh", ["latest", "--yes"], settings);

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains($"latest backup of {database.Name}: {dump}", restore.Stderr);
        Assert.Equal(checksums, await database.TableChecksumsAsync());
    }

    [Fact]
    public async Task The_guard_refuses_without_yes_when_there_is_no_terminal_and_changes_nothing()
    {
        var database = await DrillDatabase.CreateSeededAsync();
        var settings = Settings(database);
        var backup = await Command.RunScriptAsync("backup.sh", [], settings);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        await database.ExecuteAsync("delete from enrollments");
        var before = await database.TableChecksumsAsync();

        // stdin closed, then stdin redirected with the right answer: neither is an operator at a terminal.
        var closed = await Command.RunScriptAsync("restore.sh", ["latest"], settings);
        var piped = await Command.RunScriptAsync("restore.sh", ["latest"], settings, stdin: database.Name + "\n");

        foreach (var refused in new[] { closed, piped })
        {
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("refusing to restore", refused.Stderr);
            Assert.Contains($"database {database.Name} on 127.0.0.1:{database.Server.Port}", refused.Stderr);
            Assert.Contains($"{database.Name}-", refused.Stderr);
            Assert.DoesNotContain(database.Server.Password, refused.Output);
        }
        Assert.Equal(before, await database.TableChecksumsAsync());
    }

    [Fact]
    public async Task A_dump_without_its_checksum_sidecar_is_refused()
    {
        var database = await DrillDatabase.CreateSeededAsync();
        var settings = Settings(database);
        var backup = await Command.RunScriptAsync("backup.sh", ["--json"], settings);
        using var result = JsonDocument.Parse(backup.Stdout);
        var dump = result.RootElement.GetProperty("location").GetString()!;
        File.Delete(dump + ".sha256");

        var restore = await Command.RunScriptAsync("restore.sh", [dump, "--yes"], settings);

        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("has no", restore.Stderr);
        Assert.Contains(".sha256 sidecar", restore.Stderr);
    }

    [Fact]
    public async Task Local_backups_and_their_sidecars_are_readable_by_their_owner_only()
    {
        var database = await DrillDatabase.CreateSeededAsync();

        // Started with the usual umask 022, which would leave the files world-readable.
        var backup = await Command.RunAsync("bash", ["-c", "umask 022 && exec \"$0\" \"$@\"", Command.Script("backup.sh"), "--json"],
            Settings(database));

        Assert.True(backup.ExitCode == 0, backup.ToString());
        using var result = JsonDocument.Parse(backup.Stdout);
        var dump = result.RootElement.GetProperty("location").GetString()!;
        foreach (var file in new[] { dump, dump + ".sha256", dump + ".json" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        // <dir>/<db>/YYYY/MM/DD: every folder the script created.
        for (var folder = Path.GetDirectoryName(dump)!; folder != _backups.FullName; folder = Path.GetDirectoryName(folder)!)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        }
    }

    [Fact]
    public async Task A_failing_schema_version_query_fails_the_backup()
    {
        var database = await DrillDatabase.CreateSeededAsync();
        // The version table exists but reading it fails (as a revoked grant or a broken view would make it).
        await database.ExecuteAsync("""
            alter table "VersionInfo" rename to "VersionInfoRows";
            create view "VersionInfo" as select 1 / ("Version" - "Version") as "Version" from "VersionInfoRows";
            """);

        var backup = await Command.RunScriptAsync("backup.sh", ["--json"], Settings(database));

        Assert.Equal(1, backup.ExitCode);
        Assert.Contains("reading the schema version failed", backup.Stderr);
        Assert.Contains("division by zero", backup.Stderr);
        Assert.DoesNotContain("backup ok", backup.Stdout);
        Assert.Empty(Directory.GetFiles(_backups.FullName, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_server_newer_than_pg_dump_is_refused_with_the_client_to_install()
    {
        var database = await DrillDatabase.CreateSeededAsync();
        int serverMajor;
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            serverMajor = connection.PostgreSqlVersion.Major;
        }
        // Only one PostgreSQL major version is installed here: an older pg_dump is the real one reporting an older
        // version, the one thing the check reads from it.
        var bin = Directory.CreateDirectory(Path.Combine(_backups.FullName, "bin")).FullName;
        foreach (var tool in new[] { "psql", "pg_restore" })
        {
            File.CreateSymbolicLink(Path.Combine(bin, tool), Path.Combine(database.Server.BinDirectory, tool));
        }
        var pgDump = Path.Combine(bin, "pg_dump");
        await File.WriteAllTextAsync(pgDump, $"""
            #!/usr/bin/env bash
            if [[ $1 == --version ]]; then echo "pg_dump (PostgreSQL) {serverMajor - 1}.9"; exit 0; fi
            exec {Path.Combine(database.Server.BinDirectory, "pg_dump")} "$@"
            """);
        File.SetUnixFileMode(pgDump, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var settings = Settings(database);
        settings["PG_BIN"] = bin;
        settings["BACKUP_DIR"] = Directory.CreateDirectory(Path.Combine(_backups.FullName, "out")).FullName;

        var backup = await Command.RunScriptAsync("backup.sh", ["--json"], settings);

        Assert.Equal(1, backup.ExitCode);
        Assert.Contains($"pg_dump {serverMajor - 1} cannot back up a PostgreSQL {serverMajor} server: install postgresql-client-{serverMajor}", backup.Stderr);
        Assert.Empty(Directory.GetFiles(settings["BACKUP_DIR"], "*", SearchOption.AllDirectories));
    }

    private Dictionary<string, string> Settings(DrillDatabase database) =>
        new(database.Environment) { ["BACKUP_DIR"] = _backups.FullName };

    private string PlantOldBackup(string databaseName, string stamp)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_backups.FullName, databaseName, "2020", "01", "01"));
        var dump = Path.Combine(directory.FullName, $"{databaseName}-{stamp}.dump");
        foreach (var file in new[] { dump, dump + ".sha256", dump + ".json" })
        {
            File.WriteAllText(file, "an old backup");
        }
        return dump;
    }
}
