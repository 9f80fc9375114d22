using System.Net.Sockets;
using TrainingPlatform.Tests.Api;
using Xunit.Abstractions;

namespace TrainingPlatform.Tests.Reliability;

[Collection(RunsAloneCollection.Name)]
public class GracefulShutdownTests(ITestOutputHelper output)
{
    private const int InFlight = 4;

    // Set by environment variable: the host reads DOTNET_SHUTDOWNTIMEOUTSECONDS (or shutdownTimeoutSeconds); a
    // HostOptions__ShutdownTimeout variable is ignored and the default of 30 s applies.
    private const string ShutdownTimeoutVariable = "DOTNET_SHUTDOWNTIMEOUTSECONDS";

    [Fact]
    public async Task SIGTERM_lets_in_flight_requests_finish_with_full_bodies_refuses_new_connections_and_exits_0()
    {
        var (connectionString, api, instructor) = await StartAsync(shutdownTimeoutSeconds: 30);
        await using var _ = api;
        await using var courses = await TableLock.TakeAsync(connectionString, "courses");
        var writes = Enumerable.Range(0, InFlight).Select(i => Task.Run(async () =>
        {
            using var response = await instructor.Client.PostAsJsonAsync("/api/v1/courses", new { title = $"in flight {i}", description = "", published = true });
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })).ToArray();
        await courses.WaitForWaitersAsync(InFlight);

        var clock = Stopwatch.StartNew();
        var exit = api.TerminateAsync(TimeSpan.FromSeconds(60));
        await RefusedAsync(api.BaseAddress);
        output.WriteLine($"new connections refused {clock.Elapsed.TotalMilliseconds:F0} ms after SIGTERM");
        Assert.All(writes, write => Assert.False(write.IsCompleted, "the stalled writes are still in flight"));
        await courses.ReleaseAsync();

        var answered = await Task.WhenAll(writes);
        Assert.Equal(0, await exit);
        output.WriteLine($"exited {clock.Elapsed.TotalMilliseconds:F0} ms after SIGTERM");
        Assert.All(answered, write => Assert.Equal(HttpStatusCode.Created, write.StatusCode));
        var created = answered.Select(write => System.Text.Json.JsonSerializer.Deserialize<CourseBody>(write.Body,
            System.Text.Json.JsonSerializerOptions.Web)!.Title).Order().ToList();
        Assert.Equal(Enumerable.Range(0, InFlight).Select(i => $"in flight {i}").ToList(), created);
        Assert.Equal(created, await Rows.CourseTitlesAsync(connectionString));
    }

    [Fact]
    public async Task Requests_still_stalled_when_the_shutdown_timeout_ends_are_cut_and_leave_nothing_behind()
    {
        var (connectionString, api, instructor) = await StartAsync(shutdownTimeoutSeconds: 1);
        await using var _ = api;
        await using var courses = await TableLock.TakeAsync(connectionString, "courses");
        var writes = Enumerable.Range(0, InFlight).Select(i =>
            instructor.Client.PostAsJsonAsync("/api/v1/courses", new { title = $"cut {i}", description = "", published = true })).ToArray();
        await courses.WaitForWaitersAsync(InFlight);

        var clock = Stopwatch.StartNew();
        Assert.Equal(0, await api.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine($"exited {clock.Elapsed.TotalMilliseconds:F0} ms after SIGTERM with the lock still held");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the shutdown timeout bounds how long SIGTERM takes");
        foreach (var write in writes)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => write);
        }
        await courses.ReleaseAsync();
        Assert.Empty(await Rows.CourseTitlesAsync(connectionString));
    }

    private static async Task<(string ConnectionString, ApiProcess Api, TestAccount Instructor)> StartAsync(int shutdownTimeoutSeconds)
    {
        var postgres = await PostgresServer.SharedAsync();
        // A long command timeout: here the statements must wait for the lock, not give up with a 503 after 5 s.
        var connectionString = new NpgsqlConnectionStringBuilder(await postgres.CreatePooledDatabaseAsync())
        {
            CommandTimeout = 120,
        }.ConnectionString;
        var api = await ApiProcess.StartAsync(connectionString,
            new Dictionary<string, string?> { [ShutdownTimeoutVariable] = shutdownTimeoutSeconds.ToString() });
        return (connectionString, api, await api.RegisterAsync("instructor"));
    }

    private static async Task RefusedAsync(Uri address)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(address.Host, address.Port);
            }
            // Refused, or reset: a connection still in the backlog when the listener closed is reset by the kernel.
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                return;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "still accepting new connections 10 s after SIGTERM");
            await Task.Delay(50);
        }
    }
}
