namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>
/// DATABASE_URL with the passwords operators really have (from <c>openssl rand -base64</c>, with URL delimiters,
/// spaces, non-ASCII), each set on a real login role with ALTER ROLE: backup, restore and the synthetic check of an
/// API using that role all work, and neither the scripts' output nor any process command line ever holds the
/// password: the PostgreSQL tools record their own (<see cref="RecordingTools"/>), every other process is sampled
/// from /proc/*/cmdline while they run.
/// </summary>
[LongRunning(20)]
public sealed class DatabaseUrlPasswordTests(DatabaseUrlPasswordTests.SeededDatabase seeded)
    : IClassFixture<DatabaseUrlPasswordTests.SeededDatabase>, IDisposable
{
    private readonly TempFolder _backups = new("tp-password-backups-");

    public void Dispose() => _backups.Dispose();

    // Every URL delimiter and a space in one password, in the user-info and as a query parameter: any one of them
    // mishandled breaks the whole password, so one run each proves them all (a run per character, as before, cost
    // about 3 CPU-s each). Then what that password cannot hold: escape sequences a shell or printf would
    // interpret, a valid percent-escape, characters of two to four bytes, and the shape openssl rand -base64 gives.
    [Theory]
    [InlineData(@"all / + \ @ : % ? # & = [ ] ! $ ' ( ) * , ; é")]
    [InlineData(@"all / + \ @ : % ? # & = [ ] ! $ ' ( ) * , ; é", true)]
    [InlineData(@"backslash\n\x41\")]
    [InlineData("percent%41%")]
    [InlineData("non-ASCII é ü 密码 🙂")]
    [InlineData("q8Xz/+AbC3dE9k==")]
    public async Task Backup_restore_and_the_synthetic_check_work_and_the_password_shows_nowhere(string kind, bool asQueryParameter = false)
    {
        var database = seeded.Database;
        var password = $"{kind}-{Guid.NewGuid():N}";
        await using var role = await LoginRole.CreateAsync(database, password);
        using var tools = await RecordingTools.CreateAsync(database.Server.BinDirectory);
        var url = asQueryParameter
            ? $"postgresql://{role.Name}@127.0.0.1:{database.Server.Port}/{database.Name}?password={Encode(password)}&sslmode=disable"
            : $"postgresql://{role.Name}:{Encode(password)}@127.0.0.1:{database.Server.Port}/{database.Name}";
        var settings = new Dictionary<string, string>
        {
            ["DATABASE_URL"] = url,
            ["PG_BIN"] = tools.PgBin,
            ["BACKUP_DIR"] = _backups.FullName,
        };
        var checksums = await database.TableChecksumsAsync();

        CommandResult backup, restore, check;
        await using (var sampler = new CommandLineSampler([password, Encode(password)]))
        {
            backup = await Command.RunScriptAsync("backup.sh", ["--json"], settings);
            await database.ExecuteAsync("delete from lesson_completions");
            restore = await Command.RunScriptAsync("restore.sh", ["latest", "--yes"], settings);
            await using var api = await ApiServer.StartAsync(connectionString: role.ConnectionString);
            // Generous bounds: this checks that the role's password works, on a machine busy with other tests.
            check = await Command.RunScriptAsync("synthetic-check.sh",
                [api.BaseAddress.ToString(), "--expect-metrics", "on", "--timeout", "20", "--retries", "2", "--retry-delay", "1"]);

            await sampler.StopAsync();
            Assert.Empty(sampler.Leaks);
        }
        Assert.Contains(tools.Calls, call => call.Program == "pg_dump");
        Assert.Contains(tools.Calls, call => call.Program == "pg_restore");
        Assert.All(tools.Calls, call => Assert.False(call.CommandLine.Contains(password) || call.CommandLine.Contains(Encode(password)),
            $"a command line holds the password: {call.Program}"));

        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(checksums, await database.TableChecksumsAsync());
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("PASS healthz", check.Stdout);
        foreach (var result in new[] { backup, restore, check })
        {
            Assert.DoesNotContain(password, result.Output);
            Assert.DoesNotContain(Encode(password), result.Output);
        }
    }

    [Theory]
    [InlineData("backup.sh")]
    [InlineData("restore.sh")]
    public async Task A_raw_slash_in_the_password_is_refused_with_the_fix_and_no_secret(string script)
    {
        var database = seeded.Database;
        // As `openssl rand -base64` makes them; both halves are long enough to be recognised if they leak.
        var before = Guid.NewGuid().ToString("N");
        var after = Guid.NewGuid().ToString("N");
        var settings = new Dictionary<string, string>
        {
            ["DATABASE_URL"] = $"postgresql://postgres:{before}/{after}@127.0.0.1:{database.Server.Port}/{database.Name}",
            ["PG_BIN"] = database.Server.BinDirectory,
            ["BACKUP_DIR"] = _backups.FullName,
        };

        CommandResult result;
        await using (var sampler = new CommandLineSampler([before, after]))
        {
            result = await Command.RunScriptAsync(script, script == "restore.sh" ? ["latest", "--yes"] : [], settings);
            await sampler.StopAsync();
            Assert.Empty(sampler.Leaks);
            Assert.True(sampler.Samples > 0);
        }

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("percent-encoded as %2F", result.Stderr);
        Assert.DoesNotContain(before, result.Output);
        Assert.DoesNotContain(after, result.Output);
        Assert.Empty(Directory.GetFiles(_backups.FullName, "*", SearchOption.AllDirectories));
    }

    // Percent-encoded as a URL encoder does, except '+' and '\' left as typed: libpq reads both literally.
    private static string Encode(string password) => Uri.EscapeDataString(password).Replace("%2B", "+").Replace("%5C", @"\");

    /// <summary>One seeded database for the whole matrix: each case backs it up and restores it.</summary>
    public sealed class SeededDatabase : IAsyncLifetime
    {
        public DrillDatabase Database { get; private set; } = null!;

        public async Task InitializeAsync() => Database = await DrillDatabase.CreateSeededAsync();

        public Task DisposeAsync() => Task.CompletedTask;
    }

    /// <summary>A superuser login role whose password is set with ALTER ROLE; dropped (its objects handed back) after the case.</summary>
    private sealed class LoginRole : IAsyncDisposable
    {
        private readonly DrillDatabase _database;

        private LoginRole(DrillDatabase database, string name, string password)
        {
            _database = database;
            Name = name;
            ConnectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = name, Password = password }.ConnectionString;
        }

        public string Name { get; }
        public string ConnectionString { get; }

        public static async Task<LoginRole> CreateAsync(DrillDatabase database, string password)
        {
            var name = "backup_" + Guid.NewGuid().ToString("N")[..12];
            await database.ExecuteAsync($"""
                create role {name} login superuser;
                alter role {name} password '{password.Replace("'", "''")}';
                """);
            return new LoginRole(database, name, password);
        }

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await _database.ExecuteAsync($"reassign owned by {Name} to postgres; drop owned by {Name}; drop role {Name};");
        }
    }
}
