using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Xunit.Abstractions;
using TrainingPlatform.Tests.Stack;

namespace TrainingPlatform.Tests.ScaleOut;

/// <summary>
/// Three API replicas behind the ingress, with the stack's Redis, Postgres and Prometheus, all real processes
/// started by the AppHost: client addresses, shared limits, the store failing, a replica dying, the connection budget
/// and per-replica metrics. Rate limits are the defaults (10 per address, 5 per account and address, per minute).
/// </summary>
[Collection(ScaleOutCollection.Name)]
public class ScaleOutTests(ScaleOutFixture stack, ITestOutputHelper output)
{
    private const int AccountPermitLimit = 5;
    private const string CoursesRoute = "/api/v1/courses";

    [Fact]
    public async Task Requests_through_the_ingress_are_counted_once_each_under_three_replica_instances()
    {
        using var prometheus = stack.App.CreateHttpClient("prometheus", "http");
        // A series no other test touches (a course that does not exist), so the count is this test's alone.
        const string route = "/api/v1/courses/{id}";
        var series = $$"""http_requests_total{job="services", service="api", method="GET", path_template="{{route}}", status_code="404"}""";
        var query = $"sum({series})";
        var before = await ScalarAsync(prometheus, query) ?? 0;
        using var client = stack.PublicClient();

        await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            for (var i = 0; i < 50; i++)
            {
                using var response = await client.GetAsync(CoursesRoute + "/987654321");
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }
        }));

        var up = await WaitForAsync(prometheus, """count(up{job="services", service="api"} == 1)""", v => v == 3, "three replicas up");
        Assert.Equal(3, up);
        var instances = await WaitForAsync(prometheus, $"count({series} > 0)", v => v == 3, "every replica serving the route under its own instance");
        Assert.Equal(3, instances);
        var counted = await WaitForAsync(prometheus, query, v => v - before >= 300, "the 300 requests scraped");
        Assert.Equal(300, counted - before);
    }

    [Fact]
    public async Task A_password_guesser_spread_across_replicas_gets_the_account_limit_in_total()
    {
        using var guesser = stack.PublicClient(IPAddress.Parse("127.0.2.1"));

        var statuses = await SignInAttemptsAsync(guesser, "victim-of-guessing@example.test", 3 * AccountPermitLimit);

        Assert.Equal(AccountPermitLimit, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(2 * AccountPermitLimit, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Thirty_clients_behind_the_ingress_each_with_one_bad_attempt_get_no_429()
    {
        // A few at a time: each sign-in costs a password hash, and the point is the limits, not the CPU.
        var statuses = new List<HttpStatusCode>();
        foreach (var batch in Enumerable.Range(1, 30).Chunk(5))
        {
            statuses.AddRange(await Task.WhenAll(batch.Select(async i =>
            {
                using var client = stack.PublicClient(IPAddress.Parse($"127.0.3.{i}"));
                return (await SignInAttemptsAsync(client, $"client-{i}@example.test", 1)).Single();
            })));
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
    }

    [Fact]
    public async Task A_client_that_used_up_its_sign_in_attempts_can_still_refresh_its_session()
    {
        using var client = stack.PublicClient(IPAddress.Parse("127.0.4.1"));
        var email = "refresher@example.test";
        await TestAccounts.RegisterAsync(client, email, Password);
        var pair = await TestAccounts.SignInAsync(client, email, Password);

        // Ten sign-ins a minute per address: use them all up on other accounts.
        var exhausted = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => SignInAttemptsAsync(client, $"nobody-{i}@example.test", 1)));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAttemptsAsync(client, email, 1, Password)).Single());
        Assert.Contains(exhausted, s => s.Single() == HttpStatusCode.Unauthorized);

        using var refreshed = await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = pair.Refresh });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }

    [Fact]
    public async Task The_store_stopped_during_traffic_falls_back_to_per_replica_limits_and_shared_limits_return_without_a_restart()
    {
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        var errorsBefore = await StoreErrorsAsync();
        Assert.True((await commands.ExecuteCommandAsync("cache-server", KnownResourceCommands.StopCommand, StackFixture.Timeout(60))).Success);
        try
        {
            using var client = stack.PublicClient(IPAddress.Parse("127.0.5.1"));
            var during = await SignInAttemptsAsync(client, "during-outage@example.test", 3 * AccountPermitLimit);

            Assert.All(during, s => Assert.True(s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"got {s}"));
            // The policy: each replica still limits, in its own memory; nothing is let through unlimited.
            Assert.InRange(during.Count(s => s == HttpStatusCode.Unauthorized), AccountPermitLimit, 3 * AccountPermitLimit);
            Assert.True(await StoreErrorsAsync() > errorsBefore, "rate_limit_store_errors_total did not rise");
        }
        finally
        {
            Assert.True((await commands.ExecuteCommandAsync("cache-server", KnownResourceCommands.StartCommand, StackFixture.Timeout(60))).Success);
        }

        // Back: the account limit is shared again (5 in total across the replicas), with no replica restarted.
        var deadline = DateTime.UtcNow.AddSeconds(45);
        var round = 0;
        int[] allowed = [];
        while (DateTime.UtcNow < deadline)
        {
            round++;
            using var client = stack.PublicClient(IPAddress.Parse($"127.0.6.{round}"));
            var statuses = await SignInAttemptsAsync(client, $"after-outage-{round}@example.test", 3 * AccountPermitLimit);
            allowed = [.. allowed, statuses.Count(s => s == HttpStatusCode.Unauthorized)];
            if (allowed[^1] == AccountPermitLimit)
            {
                break;
            }
            await Task.Delay(2000);
        }
        output.WriteLine($"attempts allowed per round after the store came back: {string.Join(", ", allowed)}");
        Assert.Equal(AccountPermitLimit, allowed[^1]);
    }

    [Fact]
    public async Task A_replica_killed_under_load_leaves_the_rotation()
    {
        var victim = "api-3";
        var pid = Pid(victim);
        using var client = stack.PublicClient();
        var results = new List<(TimeSpan At, HttpStatusCode? Status)>();
        var clock = Stopwatch.StartNew();
        TimeSpan? killedAt = null;
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
            {
                while (clock.Elapsed < TimeSpan.FromSeconds(12))
                {
                    if (worker == 0 && killedAt is null && clock.Elapsed > TimeSpan.FromSeconds(3))
                    {
                        // The resource's process may be a launcher (dotnet run) with the API as its child: kill them all.
                        Process.GetProcessById(pid).Kill(entireProcessTree: true);
                        killedAt = clock.Elapsed;
                    }
                    HttpStatusCode? status;
                    try
                    {
                        using var response = await client.GetAsync(CoursesRoute);
                        status = response.StatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        status = null;
                    }
                    lock (results)
                    {
                        results.Add((clock.Elapsed, status));
                    }
                    // A pause caps the rate (a few hundred a second, thousands still after the kill): the rotation is
                    // judged by where requests go, not by how many; unpaced, the loop took whatever CPU the run had.
                    await Task.Delay(10);
                }
            }));

            var failed = results.Where(r => r.Status != HttpStatusCode.OK).ToList();
            output.WriteLine($"{results.Count} requests, {failed.Count} failed: " +
                string.Join(", ", failed.GroupBy(f => f.Status?.ToString() ?? "no answer").Select(g => $"{g.Count()} {g.Key} between {g.Min(f => f.At).TotalSeconds:0.0} s and {g.Max(f => f.At).TotalSeconds:0.0} s")) +
                $"; killed at {killedAt?.TotalSeconds:0.0} s");
            Assert.NotNull(killedAt);
            // After the health checks' three missed beats (about 3 s), nothing more goes to the dead replica.
            Assert.DoesNotContain(failed, f => f.At > killedAt!.Value + TimeSpan.FromSeconds(4));
            Assert.True(results.Count(r => r.At > killedAt!.Value + TimeSpan.FromSeconds(4)) > 50, "too little traffic after the kill to judge");
        }
        finally
        {
            // Whatever happened above, the next test finds three replicas again.
            var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
            Assert.True((await commands.ExecuteCommandAsync(victim, KnownResourceCommands.StartCommand, StackFixture.Timeout(120))).Success);
            // The start command returns before the resource leaves the state the kill left it in: waiting must not stop at
            // that old "exited" state (the default in tests, which have no dashboard to start it again from).
            await stack.App.ResourceNotifications.WaitForResourceHealthyAsync(victim, WaitBehavior.WaitOnResourceUnavailable, StackFixture.Timeout(120));
        }
    }

    [Fact]
    public async Task Three_replicas_under_load_stay_within_the_connection_budget_while_a_backup_runs()
    {
        using var client = stack.PublicClient();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var clock = Stopwatch.StartNew();

        // 150 requests at a time: far more than the server's 100 connections if each replica kept Npgsql's default pool of 100.
        var load = Task.WhenAll(Enumerable.Range(0, 150).Select(async _ =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                using var response = await client.GetAsync(CoursesRoute + "?limit=50");
                statuses.Add(response.StatusCode);
            }
        }));
        await Task.Delay(2000);
        var backup = await stack.BackUpNowAsync();
        await load;

        output.WriteLine($"{statuses.Count} requests under load: {string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{(int)g.Key}×{g.Count()}"))}");
        Assert.True(backup.Success, backup.Message);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    private const string Password = "a long scale-out passphrase";

    private int Pid(string resource)
    {
        Assert.True(stack.App.ResourceNotifications.TryGetCurrentState(resource, out var state), $"no state for {resource}");
        var pid = state!.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;
        return Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Sign-in attempts one after another (so the ingress spreads them over the replicas).</summary>
    private static async Task<List<HttpStatusCode>> SignInAttemptsAsync(HttpClient client, string email, int count, string password = "not the password at all")
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var response = await client.PostAsJsonAsync("/api/v1/token", new { email, password });
            statuses.Add(response.StatusCode);
        }
        return statuses;
    }

    /// <summary>rate_limit_store_errors_total summed over the replicas, read from each replica's metrics port.</summary>
    private async Task<double> StoreErrorsAsync()
    {
        var total = 0.0;
        foreach (var replica in stack.ReplicaNames)
        {
            using var metrics = stack.App.CreateHttpClient(replica, "metrics");
            var text = await metrics.GetStringAsync("/metrics");
            total += text.Split('\n').Where(line => line.StartsWith("rate_limit_store_errors_total{", StringComparison.Ordinal))
                .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
        return total;
    }

    private static async Task<double?> ScalarAsync(HttpClient prometheus, string query)
    {
        using var answer = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query)));
        var result = answer.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0
            ? null
            : double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Polls <paramref name="query"/> (the test stack scrapes every <see cref="StackFixture.ScrapeInterval"/>) until <paramref name="done"/>; returns the last value.</summary>
    private static async Task<double> WaitForAsync(HttpClient prometheus, string query, Func<double, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        double? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await ScalarAsync(prometheus, query);
            if (last is { } value && done(value))
            {
                return value;
            }
            await Task.Delay(1000);
        }
        throw new TimeoutException($"waited 90 s for {what} ({query}); last value {last?.ToString() ?? "none"}");
    }
}

[LongRunning(110)]
[CollectionDefinition(Name)]
public sealed class ScaleOutCollection : ICollectionFixture<ScaleOutFixture>
{
    public const string Name = "scale-out stack";
}
