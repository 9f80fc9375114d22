using TrainingPlatform.Tests.Api;
using Xunit.Abstractions;

namespace TrainingPlatform.Tests.Reliability;

// In parallel with the rest: its own database and its own lock; the one bound is far above what it waits for.
public class MultiplexedReadTests(ITestOutputHelper output)
{
    // Npgsql bounds a multiplexed read by the connection string's Timeout (the API's default: 3 s), not by its
    // Command Timeout, set here far above it: without that bound the blocked read would wait two minutes.
    private const int CommandTimeoutSeconds = 120;
    private static readonly TimeSpan TimeoutBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_read_blocked_by_a_lock_ends_in_503_after_the_connection_timeout_and_the_reads_queued_behind_it_are_then_answered()
    {
        var postgres = await PostgresServer.SharedAsync();
        // Maximum Pool Size=2: one connection for the multiplexed reads, so every read queues behind the blocked one
        // (the worst case: many requests' statements share a connection and are answered in order).
        var connectionString = new NpgsqlConnectionStringBuilder(await postgres.CreatePooledDatabaseAsync(maxPoolSize: 2))
        {
            CommandTimeout = CommandTimeoutSeconds,
        }.ConnectionString;
        await using var api = await ApiProcess.StartAsync(connectionString);
        var instructor = await api.RegisterAsync("instructor");
        var course = await instructor.CreateCourseAsync(title: "locked");

        var clock = Stopwatch.StartNew();
        TimedResponse blocked, behind;
        await using (var courses = await TableLock.TakeAsync(connectionString, "courses"))
        {
            var blockedRead = TimedResponse.SendAsync("blocked", null, clock, () => instructor.Client.GetAsync($"/api/v1/courses/{course.Id}"));
            await courses.WaitForWaitersAsync(1);
            var behindRead = TimedResponse.SendAsync("behind", null, clock, () => instructor.Client.GetAsync("/api/v1/auth/me/"));
            blocked = await blockedRead;
            behind = await behindRead;
        }
        output.WriteLine($"{blocked}\n{behind}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, blocked.Status);
        Assert.Equal("application/problem+json", blocked.MediaType);
        Assert.True(blocked.Elapsed < TimeoutBound, $"the blocked read outlived the connection's Timeout: {blocked}");
        Assert.Equal(HttpStatusCode.OK, behind.Status);
        Assert.Equal(HttpStatusCode.OK, (await instructor.Client.GetAsync("/api/v1/auth/me/")).StatusCode);
    }
}
