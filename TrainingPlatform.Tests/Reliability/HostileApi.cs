using System.Net;
using Npgsql;
using TrainingPlatform.ServiceDefaults;
using TrainingPlatform.Tests.Api;
using TrainingPlatform.Tests.ServiceDefaults;

namespace TrainingPlatform.Tests.Reliability;

/// <summary>
/// One API process per hostile-input test class, on its own database, with an instructor and a learner, and the
/// means to prove an attack changed nothing: row counts of every table, and the security events on /metrics.
/// </summary>
public sealed class HostileApi : IAsyncLifetime
{
    private static readonly string[] Tables =
        ["users", "sessions", "refresh_tokens", "password_reset_tokens", "courses", "lessons", "enrollments", "lesson_completions", "course_materials"];

    public ApiProcess Process { get; private set; } = null!;
    public string ConnectionString { get; private set; } = null!;
    public TestAccount Instructor { get; private set; } = null!;
    public TestAccount Learner { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.SharedAsync();
        ConnectionString = DatabaseOutageTests.Pooled(await postgres.CreateDatabaseAsync());
        Process = await ApiProcess.StartAsync(ConnectionString);
        Instructor = await Process.RegisterAsync("instructor");
        Learner = await Process.RegisterAsync();
    }

    public async Task DisposeAsync() => await Process.DisposeAsync();

    public HttpClient Anonymous() => Process.CreateHttpClient();

    /// <summary>The number of rows in every table, to compare before and after an attack.</summary>
    public async Task<IReadOnlyDictionary<string, long>> RowCountsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var counts = new SortedDictionary<string, long>();
        foreach (var table in Tables)
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
            counts[table] = (long)(await command.ExecuteScalarAsync())!;
        }
        return counts;
    }

    public async Task<double> SecurityEventsAsync(string? reason = null)
    {
        using var client = Anonymous();
        var metrics = await PrometheusText.ScrapeAsync(client);
        return reason is null
            ? metrics.Value(HttpMeasures.SecurityEventsTotal)
            : metrics.Value(HttpMeasures.SecurityEventsTotal, ("reason", reason));
    }

    public async Task<double> ServerErrorsAsync()
    {
        using var client = Anonymous();
        return (await PrometheusText.ScrapeAsync(client)).Value(HttpMeasures.ServerErrorsTotal);
    }

    /// <summary>
    /// Runs <paramref name="attack"/> and asserts what every hostile request must end in: a 4xx problem body with
    /// <paramref name="status"/>, no 5xx anywhere, no row written, and a security event exactly when
    /// <paramref name="securityEvent"/> names one.
    /// </summary>
    public async Task<HttpResponseMessage> AssertRejectedAsync(Func<Task<HttpResponseMessage>> attack, HttpStatusCode status, string? securityEvent)
    {
        var rows = await RowCountsAsync();
        var events = await SecurityEventsAsync();
        var reasonEvents = securityEvent is null ? 0 : await SecurityEventsAsync(securityEvent);
        var serverErrors = await ServerErrorsAsync();

        var response = await attack();

        await response.AssertProblemAsync(status);
        Assert.Equal(rows, await RowCountsAsync());
        Assert.Equal(serverErrors, await ServerErrorsAsync());
        if (securityEvent is null)
        {
            Assert.Equal(events, await SecurityEventsAsync());
        }
        else
        {
            // The audit counts the event just after the last byte of the answer, so the count may trail the response briefly.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (await SecurityEventsAsync(securityEvent) < reasonEvents + 1 && clock.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(20);
            }
            Assert.Equal(reasonEvents + 1, await SecurityEventsAsync(securityEvent));
        }
        return response;
    }
}
