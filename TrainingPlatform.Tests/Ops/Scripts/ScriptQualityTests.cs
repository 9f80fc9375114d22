namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>What an operator relies on before running a script: it is shellcheck clean and explains itself.</summary>
public class ScriptQualityTests
{
    public static TheoryData<string, string[]> Scripts => new()
    {
        { "backup.sh", ["DATABASE_URL", "BACKUP_S3_URI", "BACKUP_DIR", "BACKUP_S3_ENDPOINT_URL", "BACKUP_RETENTION_DAYS", "BACKUP_ENCRYPTION_KEY", "PG_BIN", "--json"] },
        { "restore.sh", ["latest", "--yes", "--clean --if-exists --no-owner", "--single-transaction", "BACKUP_S3_URI", "BACKUP_ENCRYPTION_KEY", "--json"] },
        { "synthetic-check.sh", ["BASE_URL", "--expect-metrics on|off", "--timeout", "--retries", "--json", "PASS|FAIL"] },
        { "release-gate.sh", ["--prometheus URL", "--service", "--fix", "--allow-no-data", "--json", "ALLOW", "REFUSE", "severity=\"critical\"", "slo:error_budget_remaining:ratio30d"] },
        { "rotate-postgres-password.sh", ["DATABASE_URL", "NEW_PGPASSWORD", "PG_BIN", "ops/docs/secret-rotation.md"] },
    };

    public static TheoryData<string> ScriptNames => new() { "backup.sh", "restore.sh", "synthetic-check.sh", "release-gate.sh", "rotate-postgres-password.sh" };

    [Fact]
    public async Task Every_script_is_shellcheck_clean()
    {
        const string shellcheck = "/usr/bin/shellcheck";
        Assert.True(File.Exists(shellcheck), "shellcheck not found: apt-get install shellcheck");
        // The operator scripts with their libraries, and every other script the repository runs (./test.sh, ./run.sh,
        // the benchmarks, the images' entry points, the test fixtures'): each tracked executable with a shell shebang.
        // -x follows what a script sources, so a library is checked as its callers use it.
        var tracked = await Command.RunAsync("git", ["ls-files", "-s"], workingDirectory: RepositoryRoot.Path);
        Assert.True(tracked.ExitCode == 0, tracked.ToString());
        var executables = tracked.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Where(entry => entry[0].StartsWith("100755 ", StringComparison.Ordinal))
            .Select(entry => Path.Combine(RepositoryRoot.Path, entry[1]))
            .Where(file => File.ReadLines(file).FirstOrDefault() is { } shebang && shebang.StartsWith("#!", StringComparison.Ordinal)
                && (shebang.EndsWith("bash", StringComparison.Ordinal) || shebang.EndsWith("/sh", StringComparison.Ordinal)));
        var scripts = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "ops", "scripts"), "*.sh", SearchOption.AllDirectories)
            .Concat(executables).Distinct().ToArray();
        Assert.Contains(scripts, s => s.EndsWith("/backup.sh"));
        Assert.Contains(scripts, s => s.EndsWith("/test.sh"));
        Assert.Contains(scripts, s => s.EndsWith("/ops/bench/run.sh"));

        var result = await Command.RunAsync(shellcheck, ["-x", .. scripts]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Help_describes_the_interface(string script, string[] mentions)
    {
        var help = await Command.RunScriptAsync(script, ["--help"]);

        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith($"Usage: {script}", help.Stdout);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, help.Stdout);
        }
    }

    [Theory]
    [MemberData(nameof(ScriptNames))]
    public async Task An_unknown_option_is_a_usage_error(string script)
    {
        var result = await Command.RunScriptAsync(script, ["--no-such-option"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--no-such-option", result.Stderr);
        Assert.Contains("see --help", result.Stderr);
    }

    [Fact]
    public void The_sample_lifecycle_rule_expires_the_retention_classes_backups_are_tagged_with()
    {
        using var lifecycle = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "ops", "s3-lifecycle.json")));
        var expiryDaysByClass = lifecycle.RootElement.GetProperty("Rules").EnumerateArray()
            .Where(rule => rule.GetProperty("Filter").TryGetProperty("And", out _))
            .ToDictionary(
                rule => rule.GetProperty("Filter").GetProperty("And").GetProperty("Tags").EnumerateArray()
                    .Single(tag => tag.GetProperty("Key").GetString() == "retention").GetProperty("Value").GetString()!,
                rule => rule.GetProperty("Expiration").GetProperty("Days").GetInt32());

        Assert.Equal(["daily", "monthly", "weekly"], expiryDaysByClass.Keys.Order());
        // STANDARD_IA bills 30 days at least: expiring sooner saves nothing.
        Assert.All(expiryDaysByClass.Values, days => Assert.True(days >= 30));
    }
}
