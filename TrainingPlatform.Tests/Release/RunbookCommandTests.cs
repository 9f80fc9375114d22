using TrainingPlatform.Tests.Ops.Scripts;

namespace TrainingPlatform.Tests.Release;

/// <summary>
/// The release checklist and the rollback runbook are only worth something if their commands still work. Every
/// fenced block that starts with <c># tested</c> is run here exactly as written, in document order, against a real
/// API and PostgreSQL: a renamed script or a changed flag fails this test.
/// </summary>
public partial class RunbookCommandTests
{
    [Fact]
    public async Task Every_tested_command_in_the_checklist_and_the_runbook_succeeds()
    {
        var commands = TestedCommands("release-checklist.md").Concat(TestedCommands("rollback-runbook.md")).ToArray();
        Assert.Contains(commands, c => c.Contains("ops/scripts/backup.sh"));
        Assert.Contains(commands, c => c.Contains("ops/scripts/synthetic-check.sh"));
        Assert.Contains(commands, c => c.Contains("ops/scripts/restore.sh"));
        Assert.Contains(commands, c => c.Contains("migrate down 1"));

        var postgres = await PostgresServer.SharedAsync();
        var connectionString = await postgres.CreateDatabaseAsync();
        // Production settings for the gate: the public port serves no /metrics.
        await using var api = await ApiServer.StartAsync(new Dictionary<string, string?> { ["Metrics:Enabled"] = "false" },
            connectionString: connectionString);
        var database = new NpgsqlConnectionStringBuilder(connectionString);
        var backups = Directory.CreateTempSubdirectory("tp-runbook-");
        var encryptionKey = await AgeKey.CreateAsync();
        var environment = new Dictionary<string, string>
        {
            ["API_URL"] = api.BaseAddress.ToString().TrimEnd('/'),
            ["DATABASE_URL"] = $"postgresql://postgres:{database.Password}@127.0.0.1:{database.Port}/{database.Database}",
            ["BACKUP_DIR"] = backups.FullName,
            ["BACKUP_ENCRYPTION_KEY"] = encryptionKey.Secret,
            ["ConnectionStrings__training"] = connectionString,
        };

        foreach (var command in commands)
        {
            var result = await Command.RunAsync("bash", ["-c", command], environment, timeout: TimeSpan.FromMinutes(3));
            Assert.True(result.ExitCode == 0, $"`{command}`: {result}");
            Assert.DoesNotContain(database.Password!, result.Output);
            Assert.DoesNotContain(encryptionKey.Secret, result.Output);
        }
    }

    /// <summary>The command lines of the <c># tested</c> blocks of a document in ops/docs.</summary>
    internal static IEnumerable<string> TestedCommands(string document)
    {
        var text = File.ReadAllText(RepositoryRoot.Ops("docs", document));
        return TestedBlock().Matches(text).Select(m => m.Groups["body"].Value.Trim())
            .SelectMany(body => body.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0));
    }

    [GeneratedRegex(@"```bash\s*\n\s*# tested\s*\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex TestedBlock();
}
