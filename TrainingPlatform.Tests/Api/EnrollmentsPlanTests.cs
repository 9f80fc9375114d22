using TrainingPlatform.Api.Data;
using TrainingPlatform.Api.Http;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// The API's connections plan each prepared statement once for every caller (a generic plan,
/// <see cref="DatabaseServices.DefaultOptions"/>), and the enrollments page under such a plan reads the learner's own
/// rows and their courses, beside thousands of other learners' enrollments in older courses: counted from the rows the
/// API's reads touched (pg_stat_user_tables and pg_stat_user_indexes, flushed when the API's connections close).
/// </summary>
public class EnrollmentsPlanTests
{
    private const int OthersEnrollments = 4_000;
    private const int Requests = 20;

    [Fact]
    public async Task The_enrollments_page_reads_only_the_learners_rows_under_a_generic_plan()
    {
        var postgres = await PostgresServer.SharedAsync();
        // Pooled, as in production: Npgsql prepares a statement on a connection once it has run there a few times.
        var database = await postgres.CreatePooledDatabaseAsync();
        var direct = new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString;
        TestAccount learner;
        await using (var api = await ApiServer.StartAsync(ApiFixture.Settings, postgres: postgres, connectionString: database))
        {
            var instructor = await TestAccounts.NewAsync(api.CreateHttpClient, "instructor");
            learner = await TestAccounts.NewAsync(api.CreateHttpClient);
            // Four other learners, each in 1,000 older courses: all of their enrollments are older than the learner's,
            // and the learner's courses are the newest of all.
            await SqlAsync(direct, $"""
                INSERT INTO users (email, display_name, role, password_hash)
                SELECT 'other' || g || '@example.test', 'Other', 'learner', password_hash FROM users, generate_series(1, 4) g
                WHERE users.id = {learner.Id};
                INSERT INTO courses (instructor_id, title, description, published)
                SELECT {instructor.Id}, 'Other ' || g, 'Other', true FROM generate_series(1, {OthersEnrollments / 4}) g;
                INSERT INTO enrollments (user_id, course_id)
                SELECT u.id, c.id FROM users u CROSS JOIN courses c WHERE u.email LIKE 'other%' AND c.title LIKE 'Other %';
                """);
            for (var i = 0; i < 3; i++)
            {
                var course = await instructor.CreateCourseAsync(title: $"Course {i}");
                Assert.Equal(HttpStatusCode.Created, (await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/enroll", null)).StatusCode);
            }
            learner.Client.Dispose();
            await SqlAsync(direct, "ANALYZE");
        }
        await ClosedAsync(direct);
        await SqlAsync(direct, "SELECT pg_stat_reset()");

        await using (var api = await ApiServer.StartAsync(ApiFixture.Settings, postgres: postgres, connectionString: database))
        {
            using var client = api.CreateHttpClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", learner.Tokens.Access);
            for (var i = 0; i < Requests; i++)
            {
                // Every other page is full, so the list is counted as well.
                var limit = i % 2 == 0 ? Paging.DefaultLimit : 2;
                var page = (await client.GetFromJsonAsync<PageBody<EnrollmentBody>>($"/api/v1/enrollments/?limit={limit}"))!;
                Assert.Equal(3, page.Total);
                Assert.Equal(Math.Min(limit, 3), page.Items.Count);
            }
        }
        await ClosedAsync(direct);

        // Rows read from each table and its indexes; the learner's page and count need 3 of each per request.
        foreach (var table in new[] { "enrollments", "courses" })
        {
            var read = await ScalarAsync(direct, $"""
                SELECT (SELECT coalesce(seq_tup_read, 0) FROM pg_stat_user_tables WHERE relname = '{table}')
                     + (SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE relname = '{table}')
                """);
            Assert.True(read > 0, $"the statistics counted no read of {table} at all");
            Assert.True(read <= Requests * 20, $"{read} {table} rows read for {Requests} pages of 3 ({OthersEnrollments} other enrollments)");
        }
    }

    [Theory]
    [InlineData(null, "force_generic_plan")]
    [InlineData("-c plan_cache_mode=auto", "auto")]
    [InlineData("-c work_mem=8MB", "auto")]
    public async Task The_api_connections_use_generic_plans_unless_the_connection_string_sets_options(string? options, string expected)
    {
        var postgres = await PostgresServer.SharedAsync();
        var database = await postgres.CreatePooledDatabaseAsync();
        // As an operator writes it.
        database += options is null ? "" : $";Options={options}";
        await using var api = await ApiServer.StartAsync(ApiFixture.Settings, postgres: postgres, connectionString: database);
        await using var connection = await api.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SHOW plan_cache_mode", connection);
        Assert.Equal(expected, await command.ExecuteScalarAsync());
    }

    /// <summary>Until the API's connections have ended: a backend reports its statistics as it exits.</summary>
    private static Task ClosedAsync(string database) =>
        Wait.UntilAsync(async () => await ScalarAsync(database,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") == 0,
            TimeSpan.FromSeconds(30), "the API's database connections to close");

    private static async Task SqlAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<decimal> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToDecimal(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
