namespace TrainingPlatform.Tests.Api;

/// <summary>
/// The warm-up before readiness (issue 26, <c>Http/WarmUp.cs</c>): <c>/healthz</c> names it, it finishes on its own, and
/// it leaves nothing behind in the database (it reads ids that do not exist).
/// </summary>
public sealed class WarmUpTests
{
    [Fact]
    public async Task Healthz_waits_for_the_warm_up_which_finishes_without_writing_a_row()
    {
        var postgres = await PostgresServer.SharedAsync();
        var database = await postgres.CreateDatabaseAsync();
        await using var api = await ApiServer.StartAsync(ApiFixture.Settings, postgres: postgres, connectionString: database);
        using var client = api.CreateHttpClient();

        await Wait.UntilAsync(async () =>
        {
            using var response = await client.GetAsync("/healthz");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return body.GetProperty("checks").TryGetProperty("warm-up", out var warmUp) && warmUp.GetString() == "Healthy"
                && response.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(60), "the warm-up check to pass");

        foreach (var table in new[] { "users", "sessions", "refresh_tokens", "courses", "lessons", "enrollments", "lesson_completions" })
        {
            Assert.Equal(0, await Rows.CountAsync(database, table));
        }
    }
}
