using TrainingPlatform.Tests.Ops.Scripts;

namespace TrainingPlatform.Tests.Release;

/// <summary>
/// The release checklist and the rollback runbook are only worth something if their commands still work. Every
/// fenced block that starts with <c># tested</c> is run here exactly as written, in document order, against a real
/// API and PostgreSQL: a renamed script or a changed flag fails this test. The <c>az</c> lines cannot run here: each
/// is held to the commands a single-revision container app accepts (<see cref="AzCommandLine"/>), and the blocks
/// marked <c># rehearsed: …</c> are run on a stand-in of the app by <see cref="PreviousReleaseTests"/>.
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

        var postgres = await PostgresServer.SharedAsync();
        var connectionString = await postgres.CreateDatabaseAsync();
        // Production settings for the gate: the public port serves no /metrics.
        await using var api = await ApiServer.StartAsync(new Dictionary<string, string?> { ["Metrics:Enabled"] = "false" },
            connectionString: connectionString);
        var database = new NpgsqlConnectionStringBuilder(connectionString);
        using var backups = new TempFolder("tp-runbook-");
        var encryptionKey = await AgeKey.CreateAsync();
        var environment = new Dictionary<string, string>
        {
            ["API_URL"] = api.BaseAddress.ToString().TrimEnd('/'),
            ["DATABASE_URL"] = $"postgresql://postgres:{database.Password}@127.0.0.1:{database.Port}/{database.Database}",
            ["BACKUP_DIR"] = backups.FullName,
            ["BACKUP_ENCRYPTION_KEY"] = encryptionKey.Secret,
        };

        foreach (var command in commands)
        {
            var result = await Command.RunAsync("bash", ["-c", command], environment, timeout: TimeSpan.FromMinutes(3));
            Assert.True(result.ExitCode == 0, $"`{command}`: {result}");
            Assert.DoesNotContain(database.Password!, result.Output);
            Assert.DoesNotContain(encryptionKey.Secret, result.Output);
        }
    }

    [Fact]
    public async Task Every_az_command_in_the_checklist_and_the_runbook_is_one_a_single_revision_app_accepts()
    {
        var lines = Documents.SelectMany(AzLines).ToArray();
        Assert.Contains(lines, line => line.StartsWith("az containerapp update", StringComparison.Ordinal) && line.Contains("--image"));

        var refused = new List<string>();
        foreach (var line in lines)
        {
            try
            {
                await AzCommandLine.ParseAsync(line, new Dictionary<string, string> { ["AZURE_RESOURCE_GROUP"] = "rg", ["PREVIOUS_IMAGE"] = "image" });
            }
            catch (FormatException e)
            {
                refused.Add(e.Message);
            }
        }
        Assert.Empty(refused);
    }

    [Fact]
    public async Task The_checklist_names_the_previous_release_by_the_newest_release_tag_before_head()
    {
        // HEAD^, not HEAD: once step 6 has tagged the release itself, its own tag is not the previous one.
        var line = $"PREVIOUS_TAG=$({PreviousRelease.PreviousTagCommand})";
        Assert.Contains(line, BashLines("release-checklist.md"));
        // The release the rollback rehearsal builds is chosen the same way.
        Assert.Contains($"$({PreviousRelease.PreviousTagCommand.Replace(" HEAD^", " HEAD^ 2>/dev/null", StringComparison.Ordinal)})",
            File.ReadAllText(PreviousRelease.Script));
        using var repository = new TempFolder("tp-release-tags-");
        async Task GitAsync(params string[] arguments)
        {
            var git = await Command.RunAsync("git", ["-c", "user.name=Release", "-c", "user.email=release@example.test", .. arguments],
                workingDirectory: repository.FullName);
            Assert.True(git.ExitCode == 0, git.ToString());
        }
        await GitAsync("init", "-q");
        foreach (var (commit, tag) in new[] { ("one", "v2026.12.04.1"), ("two", "build-7"), ("three", "v2026.12.05.1") })
        {
            await GitAsync("commit", "-q", "--allow-empty", "-m", commit);
            await GitAsync("tag", "-a", tag, "-m", tag);
        }

        var named = await Command.RunAsync("bash", ["-c", $"{line}\necho \"$PREVIOUS_TAG\""], workingDirectory: repository.FullName);

        Assert.Equal((0, "v2026.12.04.1"), (named.ExitCode, named.Stdout.Trim()));
    }

    [Theory]
    [InlineData("""az containerapp ingress traffic set -n api -g "$G" --revision-weight "api--v1=100" """, "needs multiple-revision mode")]
    [InlineData("""az containerapp revision activate -n api -g "$G" --revision api--v1""", "needs multiple-revision mode")]
    [InlineData("""az containerapp update -n api -g "$G" --image""", "--image needs a value")]
    [InlineData("""az containerapp update -n api -g $UNSET --image "$G" """, "-g needs a value")]
    [InlineData("""az containerapp update -n api --image "$G" """, "needs --resource-group")]
    [InlineData("""az containerapp exec -n api -g "$G" --cmd "dotnet TrainingPlatform.Api.dll migrate version" """, "has no option --cmd")]
    [InlineData("""az containerapp restart -n api -g "$G" """, "is not a command the release docs may use")]
    public async Task The_az_check_refuses_what_the_deployment_would(string line, string reason)
    {
        var refused = await Assert.ThrowsAsync<FormatException>(() =>
            AzCommandLine.ParseAsync(line, new Dictionary<string, string> { ["G"] = "rg" }));
        Assert.Contains(reason, refused.Message);
    }

    private static readonly string[] Documents = ["release-checklist.md", "rollback-runbook.md"];

    /// <summary>The command lines of the <c># tested</c> blocks of a document in ops/docs.</summary>
    internal static IEnumerable<string> TestedCommands(string document) => BlockLines(document, "tested");

    /// <summary>The command lines of the fenced bash blocks of a document in ops/docs whose first line is <c># {marker}</c>.</summary>
    internal static IEnumerable<string> BlockLines(string document, string marker) =>
        MarkedBlock().Matches(Document(document)).Where(m => m.Groups["marker"].Value.Trim() == marker)
            .SelectMany(m => CommandLines(m.Groups["body"].Value));

    /// <summary>Every az command line of a document: in fenced bash blocks and in inline code.</summary>
    private static IEnumerable<string> AzLines(string document) =>
        BashLines(document).Concat(InlineCode().Matches(Document(document)).Select(m => m.Groups["code"].Value.Trim()))
            .Where(line => line.StartsWith("az ", StringComparison.Ordinal));

    /// <summary>The command lines of every fenced bash block of a document.</summary>
    private static IEnumerable<string> BashLines(string document) =>
        BashBlock().Matches(Document(document)).SelectMany(m => CommandLines(m.Groups["body"].Value));

    private static string Document(string name) => File.ReadAllText(RepositoryRoot.Ops("docs", name));

    private static IEnumerable<string> CommandLines(string body) =>
        body.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#'));

    [GeneratedRegex(@"```bash\s*\n\s*# (?<marker>[^\n]*)\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex MarkedBlock();

    [GeneratedRegex(@"```bash\s*\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [GeneratedRegex(@"(?<!`)`(?<code>az [^`\n]+)`(?!`)")]
    private static partial Regex InlineCode();
}
