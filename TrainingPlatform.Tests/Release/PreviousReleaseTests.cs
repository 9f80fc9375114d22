using TrainingPlatform.Tests.Api;

namespace TrainingPlatform.Tests.Release;

/// <summary>
/// Expand/contract and the rollback runbook, on real processes: the previous release's API (built from git history,
/// <see cref="PreviousRelease"/>) serves the schema this build migrates to, and the runbook's rollback blocks,
/// rehearsed line by line on a single-revision stand-in of the container app, bring it back with data intact.
/// </summary>
[LongRunning(30)]
public partial class PreviousReleaseTests(PreviousRelease previous) : IClassFixture<PreviousRelease>
{
    private const string CurrentImage = "registry.example/trainingplatform/api:current";
    private const string PreviousImage = "registry.example/trainingplatform/api:previous";
    private const string Runbook = "rollback-runbook.md";

    [Fact]
    public async Task The_previous_release_passes_the_synthetic_check_on_the_schema_this_build_migrates_to()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var app = App(database);
        // The new release starts first and migrates a fresh database with this build's migrator.
        await app.DeployAsync(CurrentImage);
        var account = await app.Serving.RegisterAsync("instructor");

        await RehearseAsync(app, Runbook, "roll back the app", new Dictionary<string, string>());

        Assert.Equal(PreviousImage, app.Image);
        Assert.Equal(PreviousRelease.CurrentMigrations[^1], await VersionAsync(database));
        await AssertServesAsync(app, account);
    }

    [Fact]
    public async Task Reverting_the_schema_with_the_new_release_then_redeploying_the_previous_image_restores_the_previous_schema()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var app = App(database);
        await app.DeployAsync(PreviousImage);
        // Pre-deploy, as the release checklist records it: the schema version to return to.
        var recorded = await RehearseAsync(app, "release-checklist.md", "record the schema version", new Dictionary<string, string>());
        var before = SchemaVersion().Match(recorded[^1].Stdout);
        Assert.True(before.Success, recorded[^1].ToString());
        Assert.Equal(previous.NewestMigration.ToString(System.Globalization.CultureInfo.InvariantCulture), before.Groups["version"].Value);
        Assert.True(previous.NewestMigration < PreviousRelease.CurrentMigrations[^1], $"{previous.Description} has every migration of this build");

        await app.DeployAsync(CurrentImage);
        Assert.Equal(PreviousRelease.CurrentMigrations[^1], await VersionAsync(database));
        var account = await app.Serving.RegisterAsync("instructor");

        var steps = await RehearseAsync(app, Runbook, "roll back the schema, then the app",
            new Dictionary<string, string> { ["SCHEMA_VERSION_BEFORE"] = before.Groups["version"].Value });

        Assert.Equal(PreviousImage, app.Image);
        Assert.Contains($"schema version after: {previous.NewestMigration}", string.Concat(steps.Select(step => step.Stdout)));
        Assert.Equal(previous.NewestMigration, await VersionAsync(database));
        Assert.Contains($"schema version: {previous.NewestMigration}", steps[^1].Stdout);
        await AssertServesAsync(app, account);
    }

    [Fact]
    public void Test_sh_builds_the_previous_release_before_the_run_where_the_fixture_looks_for_it() =>
        Assert.Contains($"export {PreviousRelease.PrebuiltVariable}=", File.ReadAllText(Path.Combine(RepositoryRoot.Path, "test.sh")));

    private SingleRevisionApp App(string database) => new(database, new Dictionary<string, string>
    {
        [CurrentImage] = Path.GetDirectoryName(ApiProcess.Dll)!,
        [PreviousImage] = previous.ImageDirectory,
    });

    /// <summary>
    /// Runs the lines of the document's block marked <c># rehearsed: {name}</c> on <paramref name="app"/>, in
    /// order, with the checklist's variables; every line must succeed.
    /// </summary>
    private static async Task<IReadOnlyList<CommandResult>> RehearseAsync(SingleRevisionApp app, string document, string name,
        Dictionary<string, string> variables)
    {
        variables["AZURE_RESOURCE_GROUP"] = "rg-trainingplatform-rehearsal";
        variables["PREVIOUS_IMAGE"] = PreviousImage;
        var lines = RunbookCommandTests.BlockLines(document, $"rehearsed: {name}").ToArray();
        Assert.NotEmpty(lines);
        var results = new List<CommandResult>();
        foreach (var line in lines)
        {
            var result = await app.RunAsync(await AzCommandLine.ParseAsync(line, variables));
            Assert.True(result.ExitCode == 0, $"`{line}` on {app.Image}: {result}");
            results.Add(result);
        }
        return results;
    }

    /// <summary>
    /// The runbook's check after a rollback passes against the serving revision, and an instructor the new release
    /// registered signs in there and writes and reads each kind of row: a course, a lesson, an uploaded file. (The
    /// synthetic check alone reads no table: a renamed column the previous code needs passes it.)
    /// </summary>
    private static async Task AssertServesAsync(SingleRevisionApp app, TestAccount instructor)
    {
        var check = RunbookCommandTests.TestedCommands(Runbook).Single(command => command.Contains("synthetic-check.sh"));
        var result = await Command.RunAsync("bash", ["-c", check],
            new Dictionary<string, string> { ["API_URL"] = app.Serving.BaseAddress.ToString().TrimEnd('/') });
        Assert.True(result.ExitCode == 0, $"`{check}` against {app.Image}: {result}\n{app.Serving.Output}");

        using var client = app.Serving.CreateHttpClient();
        var tokens = await TestAccounts.SignInAsync(client, instructor.Email, instructor.Password);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Access);
        var there = instructor with { Tokens = tokens, Client = client };
        var course = await there.CreateCourseAsync(title: "After the rollback");
        await there.AddLessonAsync(course.Id, "Still here");
        var file = new ByteArrayContent("rolled back"u8.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        using var form = new MultipartFormDataContent { { new StringContent($"{course.Id}"), "courseId" }, { file, "file", "notes.txt" } };
        using var uploaded = await client.PostAsync("/api/v1/upload", form);
        Assert.True(uploaded.StatusCode == HttpStatusCode.Created, $"{uploaded.StatusCode}: {await uploaded.Content.ReadAsStringAsync()}");
        var material = await uploaded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("rolled back", await client.GetStringAsync($"/api/v1/upload/{material.GetProperty("id").GetInt64()}"));
        var listed = await client.GetFromJsonAsync<PageBody<CourseBody>>("/api/v1/courses");
        Assert.Contains(course.Id, listed!.Items.Select(c => c.Id));
    }

    private static async Task<long?> VersionAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT max("Version") FROM public."VersionInfo" """, connection);
        return await command.ExecuteScalarAsync() as long?;
    }

    [GeneratedRegex(@"^schema version: (?<version>\d+)$", RegexOptions.Multiline)]
    private static partial Regex SchemaVersion();
}
