using TrainingPlatform.Tests.ServiceDefaults;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// The warm-up before the server listens (issue 26, <c>Http/WarmUp.cs</c>): the first answer of <c>/healthz</c> is
/// already 200 (no 503 phase for the 5xx counters and the logs), and the warm-up leaves nothing behind in the
/// database (it reads ids that do not exist), however often it runs.
/// </summary>
public sealed class WarmUpTests
{
    [Fact]
    public async Task The_first_health_answer_is_ready_and_the_warm_up_writes_no_row()
    {
        var postgres = await PostgresServer.SharedAsync();
        var database = await postgres.CreateDatabaseAsync();
        await using var api = await ApiServer.StartAsync(ApiFixture.Settings, postgres: postgres, connectionString: database);
        using var client = api.CreateHttpClient();

        using var first = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await api.Services.GetRequiredService<TrainingPlatform.Api.Http.WarmUp>().RunAsync(CancellationToken.None);

        foreach (var table in new[] { "users", "sessions", "refresh_tokens", "courses", "lessons", "enrollments", "lesson_completions" })
        {
            Assert.Equal(0, await Rows.CountAsync(database, table));
        }
        var metrics = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(0, metrics.ValueOrZero(HttpMeasures.ServerErrorsTotal));
    }
}
