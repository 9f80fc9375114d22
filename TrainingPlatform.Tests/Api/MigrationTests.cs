using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using TrainingPlatform.Api.Data;

namespace TrainingPlatform.Tests.Api;

public class MigrationTests
{
    /// <summary>Every migration the API has, oldest first.</summary>
    private static readonly long[] Versions = typeof(Program).Assembly.GetTypes()
        .Select(type => type.GetCustomAttribute<FluentMigrator.MigrationAttribute>()?.Version).OfType<long>().Order().ToArray();

    private static readonly long Latest = Versions[^1];

    /// <summary>The migration that creates courses; going down to it removes course_materials and keeps the courses.</summary>
    private const long Courses = 202612010002;

    [Fact]
    public async Task Down_one_step_and_up_again_through_the_cli_keeps_the_data()
    {
        var postgres = await PostgresServer.SharedAsync();
        var database = await postgres.CreateDatabaseAsync();
        string email;
        long courseId;
        TestAccount learner;
        await using (var api = await ApiServer.StartAsync(ApiFixture.Settings, postgres: postgres, connectionString: database))
        {
            var fixture = new SeededApi(api);
            (email, courseId) = await fixture.SeedAsync();
            learner = await TestAccounts.NewAsync(api.CreateHttpClient);
            Assert.Equal(HttpStatusCode.Created, (await learner.Client.PostAsync($"/api/v1/courses/{courseId}/enroll", null)).StatusCode);
            var lesson = Assert.Single((await learner.Client.GetFromJsonAsync<List<LessonBody>>($"/api/v1/courses/{courseId}/lessons"))!);
            Assert.Equal(HttpStatusCode.OK, (await learner.Client.PostAsync($"/api/v1/courses/{courseId}/lessons/{lesson.Id}/complete", null)).StatusCode);
            learner.Client.Dispose();
        }

        var version = await MigrateCliAsync(database, "version");
        Assert.Equal(0, version.ExitCode);
        Assert.Contains($"schema version: {Latest}", version.Output);

        var down = await MigrateCliAsync(database, "down", Versions.Count(v => v > Courses).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, down.ExitCode);
        Assert.Contains($"schema version before: {Latest}", down.Output);
        Assert.Contains($"schema version after: {Courses}", down.Output);
        Assert.False(await RelationExistsAsync(database, "course_materials"));
        Assert.Equal(1, await Rows.CountAsync(database, "courses"));

        var up = await MigrateCliAsync(database, "up");
        Assert.Equal(0, up.ExitCode);
        Assert.Contains($"schema version after: {Latest}", up.Output);
        Assert.True(await RelationExistsAsync(database, "course_materials"));

        await using var again = await ApiServer.StartAsync(ApiFixture.Settings, postgres: postgres, connectionString: database);
        using var client = again.CreateHttpClient();
        await TestAccounts.SignInAsync(client, email, SeededApi.Password);
        var course = await client.GetFromJsonAsync<CourseBody>($"/api/v1/courses/{courseId}");
        Assert.Equal("Survives migrations", course!.Title);
        Assert.Single((await client.GetFromJsonAsync<List<LessonBody>>($"/api/v1/courses/{courseId}/lessons"))!);
        // The progress counts, dropped on the way down, are counted again on the way up.
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", learner.Tokens.Access);
        var enrollment = Assert.Single((await client.GetFromJsonAsync<PageBody<EnrollmentBody>>("/api/v1/enrollments"))!.Items);
        Assert.Equal((1L, 1L), (enrollment.CompletedLessons, enrollment.TotalLessons));
    }

    [Fact]
    public async Task The_cli_reports_usage_and_connection_errors_with_exit_codes()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        Assert.Equal(2, (await MigrateCliAsync(database, "sideways")).ExitCode);
        Assert.Equal(2, (await MigrateCliAsync(database, "down", "-3")).ExitCode);
        Assert.Equal(2, (await MigrateCliAsync(database, "down-to", "latest")).ExitCode);
        var unknown = await MigrateCliAsync(database, "down-to", "202612010000");
        Assert.Equal((1, true), (unknown.ExitCode, unknown.Output.Contains("202612010000 is not a migration this release knows")));
        var version = await MigrateCliAsync(database, "version");
        Assert.Equal((0, true), (version.ExitCode, version.Output.Contains("schema version: none")));

        var unreachable = new NpgsqlConnectionStringBuilder(database) { Port = 1, Timeout = 2 }.ConnectionString;
        var failed = await MigrateCliAsync(unreachable, "up");
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("migrate failed", failed.Output);
    }

    [Fact]
    public async Task Two_migration_runs_at_once_apply_the_migrations_once()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        SchemaMigrator Migrator() => new(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:training"] = database }).Build(),
            NullLoggerFactory.Instance);

        var runs = await Task.WhenAll(Migrator().UpAsync(), Migrator().UpAsync());

        Assert.Single(runs, r => r.Before is null);
        Assert.Single(runs, r => r.Before == Latest);
        Assert.All(runs, r => Assert.Equal(Latest, r.After));
        Assert.Equal(Versions.Length, await Rows.CountAsync(database, "\"VersionInfo\""));
    }

    [Fact]
    public async Task Two_api_instances_starting_at_once_both_serve_one_schema()
    {
        var postgres = await PostgresServer.SharedAsync();
        var database = await postgres.CreateDatabaseAsync();
        // The test holds the migration lock, so both instances are seen waiting for it at the same time: they
        // really start at once, whatever the machine's speed.
        await using var holder = new NpgsqlConnection(database);
        await holder.OpenAsync();
        await ExecuteAsync(holder, "SELECT pg_advisory_lock(@key)");

        var starting = new[] { StartInBackground(), StartInBackground() };
        await Wait.UntilAsync(async () => await WaitingForMigrationLockAsync(holder) == 2, TimeSpan.FromSeconds(60),
            "both instances waiting for the migration lock");
        await ExecuteAsync(holder, "SELECT pg_advisory_unlock(@key)");
        var servers = await Task.WhenAll(starting);
        try
        {
            foreach (var server in servers)
            {
                using var client = server.CreateHttpClient();
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/courses")).StatusCode);
            }
            Assert.Equal(Versions.Length, await Rows.CountAsync(database, "\"VersionInfo\""));
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }

        // ApiServer.StartAsync blocks its caller until the host has started (migrations included): a thread each.
        Task<ApiServer> StartInBackground() => Task.Run(() => ApiServer.StartAsync(ApiFixture.Settings, postgres: postgres, connectionString: database));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", SchemaMigrator.AdvisoryLockKey);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> WaitingForMigrationLockAsync(NpgsqlConnection connection)
    {
        // A bigint advisory key shows as its high and low 32 bits; other tests migrate other databases of the server.
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND classid::bigint = @high AND objid::bigint = @low
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, connection);
        command.Parameters.AddWithValue("high", (long)(SchemaMigrator.AdvisoryLockKey >> 32));
        command.Parameters.AddWithValue("low", SchemaMigrator.AdvisoryLockKey & 0xFFFFFFFF);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<(int ExitCode, string Output)> MigrateCliAsync(string connectionString, params string[] args)
    {
        var result = await Command.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "TrainingPlatform.Api.dll"), "migrate", .. args],
            new Dictionary<string, string> { ["ConnectionStrings__training"] = connectionString, ["DOTNET_ENVIRONMENT"] = "Production" },
            workingDirectory: AppContext.BaseDirectory);
        return (result.ExitCode, result.Output);
    }

    private static async Task<bool> RelationExistsAsync(string connectionString, string relation)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT to_regclass(@relation) IS NOT NULL", connection);
        command.Parameters.AddWithValue("relation", relation);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>An instructor with one published course, one lesson and one uploaded file.</summary>
    private sealed class SeededApi(ApiServer api)
    {
        public const string Password = "migration test passphrase";

        public async Task<(string Email, long CourseId)> SeedAsync()
        {
            using var client = api.CreateHttpClient();
            var email = $"seed-{Guid.NewGuid():N}@example.test";
            await TestAccounts.RegisterAsync(client, email, Password, "instructor");
            var tokens = await TestAccounts.SignInAsync(client, email, Password);
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens.Access);
            var course = (await (await client.PostAsJsonAsync("/api/v1/courses", new { title = "Survives migrations", published = true }))
                .Content.ReadFromJsonAsync<CourseBody>())!;
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/v1/courses/{course.Id}/lessons", new { title = "Kept" })).StatusCode);
            var form = new MultipartFormDataContent { { new StringContent(course.Id.ToString()), "courseId" } };
            var file = new ByteArrayContent("notes"u8.ToArray());
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
            form.Add(file, "file", "notes.txt");
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/v1/upload", form)).StatusCode);
            return (email, course.Id);
        }
    }
}
