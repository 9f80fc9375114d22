using System.Security.Cryptography;
using Xunit.Abstractions;

namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>
/// The restore drill of ops/docs/backup-restore.md: back up to S3, look at the object, wreck the
/// database, restore, and prove the data is what it was. Real Postgres, real S3 protocol, real awscli.
/// </summary>
[LongRunning(115)]
public sealed class S3RestoreDrillTests(S3RestoreDrillTests.S3 s3, ITestOutputHelper output) : IClassFixture<S3RestoreDrillTests.S3>
{
    private const string Bucket = "training-backups";
    private readonly S3Server _s3 = s3.Server;

    /// <summary>One server for the class: every drill writes under a prefix and a database name of its own.</summary>
    public sealed class S3 : IAsyncLifetime
    {
        public S3Server Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await S3Server.StartAsync(Bucket);

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    [Fact]
    public async Task A_wrecked_database_restored_from_s3_holds_exactly_the_data_that_was_backed_up()
    {
        var database = await DrillDatabase.CreateSeededAsync();
        var checksums = await database.TableChecksumsAsync();
        var files = await database.FilesAsync();
        var databaseBytes = await database.SizeBytesAsync();
        var schemaVersion = await database.SchemaVersionAsync();

        var backupClock = Stopwatch.StartNew();
        var backup = await BackupAsync(database, "nightly", "--json");
        backupClock.Stop();
        Assert.True(backup.ExitCode == 0, backup.ToString());
        using var result = JsonDocument.Parse(backup.Stdout);
        var location = result.RootElement.GetProperty("location").GetString()!;
        var sha256 = result.RootElement.GetProperty("sha256").GetString()!;
        var key = location[$"s3://{Bucket}/".Length..];
        Assert.Matches($@"^nightly/{database.Name}/\d{{4}}/\d{{2}}/\d{{2}}/{database.Name}-\d{{8}}T\d{{6}}Z-[0-9a-f]{{8}}\.dump$", key);

        using var head = JsonDocument.Parse(await _s3.AwsAsync("s3api", "head-object", "--bucket", Bucket, "--key", key));
        Assert.Equal("STANDARD_IA", head.RootElement.GetProperty("StorageClass").GetString());
        var metadata = head.RootElement.GetProperty("Metadata");
        Assert.Equal(sha256, metadata.GetProperty("sha256").GetString());
        Assert.Equal(database.Name, metadata.GetProperty("database").GetString());
        Assert.Equal(schemaVersion, metadata.GetProperty("schema-version").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", metadata.GetProperty("created-at").GetString());
        Assert.StartsWith("trainingplatform-backup/", metadata.GetProperty("tool-version").GetString());
        using var tagging = JsonDocument.Parse(await _s3.AwsAsync("s3api", "get-object-tagging", "--bucket", Bucket, "--key", key));
        var tags = tagging.RootElement.GetProperty("TagSet").EnumerateArray()
            .ToDictionary(t => t.GetProperty("Key").GetString()!, t => t.GetProperty("Value").GetString()!);
        Assert.Equal("daily", tags["retention"]);

        await database.WreckAsync();
        Assert.NotEqual(checksums, await database.TableChecksumsAsync());

        var restoreClock = Stopwatch.StartNew();
        var restore = await Command.RunScriptAsync("restore.sh", [location, "--yes"], Settings(database, "nightly"));
        restoreClock.Stop();
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains($"schema version  {schemaVersion}", restore.Stdout);
        Assert.Matches($@"users\s+{DrillDatabase.Users}\n", restore.Stdout);
        Assert.Matches($@"course_materials\s+{DrillDatabase.Files}\n", restore.Stdout);
        Assert.Equal(checksums, await database.TableChecksumsAsync());
        Assert.Equal(files, await database.FilesAsync());
        Assert.DoesNotContain(database.Server.Password, backup.Output + restore.Output);

        output.WriteLine(
            $"drill: database {databaseBytes / 1024.0 / 1024.0:F1} MiB ({DrillDatabase.Users} users, {DrillDatabase.Courses} courses, " +
            $"{DrillDatabase.Courses * DrillDatabase.LessonsPerCourse} lessons, {DrillDatabase.Files} files of {DrillDatabase.FileBytes / 1024} KiB), " +
            $"dump {result.RootElement.GetProperty("size_bytes").GetInt64() / 1024.0 / 1024.0:F1} MiB; " +
            $"backup {backupClock.Elapsed.TotalSeconds:F1} s, restore (download, verify, pg_restore, validate) {restoreClock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task A_tampered_backup_is_refused_and_the_database_stays_as_it_was()
    {
        var database = await DrillDatabase.CreateSeededAsync();
        var backup = await BackupAsync(database, "tamper", "--json");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        using var result = JsonDocument.Parse(backup.Stdout);
        var key = result.RootElement.GetProperty("location").GetString()![$"s3://{Bucket}/".Length..];

        // Same key, same recorded sha256, one byte different: what bit rot or an attacker leaves behind.
        var copy = Path.Combine(Directory.CreateTempSubdirectory("tp-tamper-").FullName, "backup.dump");
        await _s3.AwsAsync("s3", "cp", $"s3://{Bucket}/{key}", copy);
        var bytes = await File.ReadAllBytesAsync(copy);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(copy, bytes);
        await _s3.AwsAsync("s3api", "put-object", "--bucket", Bucket, "--key", key, "--body", copy,
            "--metadata", $"sha256={result.RootElement.GetProperty("sha256").GetString()},database={database.Name}");

        await database.ExecuteAsync("insert into courses (instructor_id, title, description) select min(id), 'Created after the backup', '' from users");
        var before = await database.TableChecksumsAsync();

        var restore = await Command.RunScriptAsync("restore.sh", ["latest", "--yes"], Settings(database, "tamper"));

        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("sha256 mismatch", restore.Stderr);
        Assert.Contains("the database was not touched", restore.Stderr);
        Assert.Equal(before, await database.TableChecksumsAsync());
    }

    [Fact]
    public async Task A_backup_that_cannot_be_completed_fails_and_leaves_no_object_behind()
    {
        var database = await DrillDatabase.CreateSeededAsync();
        // The upload succeeds, then the store refuses the tags: the object must not survive as a backup.
        var refusingCli = Path.Combine(Directory.CreateTempSubdirectory("tp-aws-").FullName, "aws");
        await File.WriteAllTextAsync(refusingCli, $$"""
            #!/usr/bin/env bash
            for argument in "$@"; do
              if [[ $argument == put-object-tagging ]]; then echo "simulated outage: tagging refused" >&2; exit 254; fi
            done
            exec {{S3Server.AwsCli}} "$@"
            """);
        Assert.Equal(0, (await Command.RunAsync("chmod", ["+x", refusingCli])).ExitCode);
        var settings = new Dictionary<string, string>(Settings(database, "outage")) { ["AWS_CLI"] = refusingCli };

        var backup = await Command.RunScriptAsync("backup.sh", [], settings);

        Assert.Equal(1, backup.ExitCode);
        Assert.Contains("tagging", backup.Stderr);
        Assert.Contains("simulated outage", backup.Stderr);
        Assert.Contains("removed the unverified object", backup.Stderr);
        Assert.Empty(await _s3.KeysAsync(Bucket, "outage/"));
        Assert.DoesNotContain("backup ok", backup.Stdout);
    }

    [Fact]
    public async Task A_failing_connection_is_reported_without_the_password()
    {
        var database = await DrillDatabase.CreateSeededAsync();
        var wrongPassword = "wrong-" + Guid.NewGuid().ToString("N");
        var settings = new Dictionary<string, string>(Settings(database, "refused"))
        {
            ["DATABASE_URL"] = database.Url.Replace(database.Server.Password, wrongPassword),
        };

        var backup = await Command.RunScriptAsync("backup.sh", [], settings);

        Assert.Equal(1, backup.ExitCode);
        Assert.Contains("password authentication failed", backup.Stderr);
        Assert.Contains("postgres:***@127.0.0.1", backup.Stderr);
        Assert.DoesNotContain(wrongPassword, backup.Output);
        Assert.Empty(await _s3.KeysAsync(Bucket, "refused/"));
    }

    [Fact]
    public async Task An_encrypted_backup_reveals_nothing_without_its_key_and_restores_with_it()
    {
        var database = await DrillDatabase.CreateSeededAsync();
        var checksums = await database.TableChecksumsAsync();
        var key = await AgeKey.CreateAsync();
        using var tools = await RecordingTools.CreateAsync(database.Server.BinDirectory, "age");
        var settings = new Dictionary<string, string>(Settings(database, "encrypted", key)) { ["PG_BIN"] = tools.PgBin, ["PATH"] = tools.SearchPath };

        CommandResult backup, withoutKey, restore;
        JsonDocument result;
        await using (var sampler = new CommandLineSampler([key.Secret, key.Recipient]))
        {
            backup = await Command.RunScriptAsync("backup.sh", ["--json"], settings);
            Assert.True(backup.ExitCode == 0, backup.ToString());
            result = JsonDocument.Parse(backup.Stdout);
            await database.WreckAsync();
            var wrecked = await database.TableChecksumsAsync();

            withoutKey = await Command.RunScriptAsync("restore.sh", ["latest", "--yes"], Settings(database, "encrypted"));
            Assert.Equal(1, withoutKey.ExitCode);
            Assert.Contains("is encrypted: set BACKUP_ENCRYPTION_KEY", withoutKey.Stderr);
            Assert.Equal(wrecked, await database.TableChecksumsAsync());

            restore = await Command.RunScriptAsync("restore.sh", ["latest", "--yes"], settings);
            await sampler.StopAsync();
            Assert.Empty(sampler.Leaks);
        }
        // This test's own runs of pg_dump and age, each command line as ps showed it: the key on none.
        Assert.Contains(tools.Calls, call => call.Program == "pg_dump");
        Assert.Contains(tools.Calls, call => call.Program == "age");
        Assert.All(tools.Calls, call => Assert.False(call.CommandLine.Contains(key.Secret), $"a command line holds the key: {call.Program}"));

        using (result)
        {
            Assert.True(result.RootElement.GetProperty("encrypted").GetBoolean());
            var objectKey = result.RootElement.GetProperty("location").GetString()![$"s3://{Bucket}/".Length..];
            Assert.EndsWith(".dump.age", objectKey);
            using var head = JsonDocument.Parse(await _s3.AwsAsync("s3api", "head-object", "--bucket", Bucket, "--key", objectKey));
            Assert.Equal("age", head.RootElement.GetProperty("Metadata").GetProperty("encryption").GetString());
            var stored = Path.Combine(Directory.CreateTempSubdirectory("tp-encrypted-").FullName, "stored");
            await _s3.AwsAsync("s3", "cp", $"s3://{Bucket}/{objectKey}", stored);
            Assert.StartsWith("age-encryption.org/v1\n", Encoding.ASCII.GetString((await File.ReadAllBytesAsync(stored))[..22]));
        }
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains("decrypted and authenticated with BACKUP_ENCRYPTION_KEY", restore.Stderr);
        using (var backed = JsonDocument.Parse(backup.Stdout))
        {
            // The identity shown before restoring is the one inside the encryption, the same the backup reported.
            Assert.Contains($"identity database {database.Name}, created {backed.RootElement.GetProperty("created_at").GetString()}, run ", restore.Stderr);
            Assert.Contains("(authenticated)", restore.Stderr);
        }
        Assert.Equal(checksums, await database.TableChecksumsAsync());
        foreach (var run in new[] { backup, withoutKey, restore })
        {
            Assert.DoesNotContain(key.Secret, run.Output);
            Assert.DoesNotContain(key.Recipient, run.Output);
        }
    }

    [Fact]
    public async Task A_planted_latest_backup_is_refused_and_the_database_stays_as_it_was()
    {
        var database = await DrillDatabase.CreateSeededAsync();
        var key = await AgeKey.CreateAsync();
        var genuine = await BackupAsync(database, "planted", key);
        // What an attacker who can write the bucket but lacks the key can make: a plain dump, a dump under a key of
        // their own, the genuine backup altered, and the genuine backup as it is (a replay: an old backup made to look
        // like the latest, which would roll the database back), each with a matching sha256 recorded.
        var attacker = Directory.CreateTempSubdirectory("tp-attacker-");
        var plain = await LocalBackupAsync(database, attacker, key: null);
        var otherKey = await LocalBackupAsync(database, attacker, await AgeKey.CreateAsync());
        var replayed = await DownloadAsync(genuine);
        var altered = Path.Combine(attacker.FullName, "altered");
        var bytes = await File.ReadAllBytesAsync(replayed);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(altered, bytes);

        await database.ExecuteAsync("insert into courses (instructor_id, title, description) select min(id), 'Created after the backup', '' from users");
        var before = await database.TableChecksumsAsync();

        var plants = new (string File, string Suffix, string Refusal)[]
        {
            (plain, ".dump", "is not encrypted, but BACKUP_ENCRYPTION_KEY is set"),
            (otherKey, ".dump.age", "decrypting"),
            (altered, ".dump.age", "decrypting"),
            (replayed, ".dump.age", "is not the backup its name says: its authenticated manifest says database " + database.Name + ", created 20"),
        };
        foreach (var (index, (file, suffix, refusal)) in plants.Index())
        {
            // Newer than any real backup and than the plants before it (they stay), so "latest" picks it.
            var plantKey = $"planted/{database.Name}/2099/12/31/{database.Name}-20991231T235959Z-{index:x8}{suffix}";
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file)));
            await _s3.AwsAsync("s3api", "put-object", "--bucket", Bucket, "--key", plantKey, "--body", file,
                "--metadata", $"sha256={sha256},database={database.Name}");

            var restore = await Command.RunScriptAsync("restore.sh", ["latest", "--yes"], Settings(database, "planted", key));

            Assert.Equal(1, restore.ExitCode);
            Assert.Contains($"latest backup of {database.Name}: s3://{Bucket}/{plantKey}", restore.Stderr);
            Assert.Contains(refusal, restore.Stderr);
            Assert.Contains("the database was not touched", restore.Stderr);
            Assert.Equal(before, await database.TableChecksumsAsync());
        }
    }

    private async Task<string> BackupAsync(DrillDatabase database, string prefix, AgeKey? key) =>
        await LocationAsync(Settings(database, prefix, key));

    private static async Task<string> LocalBackupAsync(DrillDatabase database, DirectoryInfo folder, AgeKey? key)
    {
        var settings = new Dictionary<string, string>(database.Environment) { ["BACKUP_DIR"] = folder.FullName };
        if (key is not null)
        {
            settings["BACKUP_ENCRYPTION_KEY"] = key.Secret;
        }
        return await LocationAsync(settings);
    }

    private static async Task<string> LocationAsync(IReadOnlyDictionary<string, string> settings)
    {
        var backup = await Command.RunScriptAsync("backup.sh", ["--json"], settings);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        using var result = JsonDocument.Parse(backup.Stdout);
        return result.RootElement.GetProperty("location").GetString()!;
    }

    private async Task<string> DownloadAsync(string location)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("tp-plant-").FullName, "object");
        await _s3.AwsAsync("s3", "cp", location, file);
        return file;
    }

    private Task<CommandResult> BackupAsync(DrillDatabase database, string prefix, params string[] arguments) =>
        Command.RunScriptAsync("backup.sh", arguments, Settings(database, prefix));

    private Dictionary<string, string> Settings(DrillDatabase database, string prefix, AgeKey? key)
    {
        var settings = Settings(database, prefix);
        if (key is not null)
        {
            settings["BACKUP_ENCRYPTION_KEY"] = key.Secret;
        }
        return settings;
    }

    private Dictionary<string, string> Settings(DrillDatabase database, string prefix)
    {
        var settings = new Dictionary<string, string>(database.Environment) { ["BACKUP_S3_URI"] = $"s3://{Bucket}/{prefix}" };
        foreach (var (key, value) in _s3.Environment)
        {
            settings[key] = value;
        }
        return settings;
    }
}
