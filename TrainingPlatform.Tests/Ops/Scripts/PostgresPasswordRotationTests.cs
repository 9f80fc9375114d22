using System.Collections.Concurrent;
using TrainingPlatform.Api.Data;
using TrainingPlatform.Tests.ServiceDefaults;
using Xunit.Abstractions;

namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>
/// The database password rotation of ops/docs/secret-rotation.md, run as written against a real server and the API
/// as a process under a light request loop: rotate-postgres-password.sh changes the live role's password, a
/// replacement API starts with the new one and takes the traffic, the old API stops (what a new Container Apps
/// revision does). No request fails, neither password shows on a command line or in the output, the old password is
/// refused and the new one works.
/// </summary>
public class PostgresPasswordRotationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Rotating_the_password_in_the_documented_order_fails_no_request()
    {
        await using var role = await RotatedRole.CreateAsync();
        var oldApi = await ApiProcess.StartAsync(role.ConnectionString(role.OldPassword));
        await using var oldApiEnds = oldApi;
        var account = await oldApi.RegisterAsync();
        account.Client.Dispose();

        CommandResult rotation;
        await using (var traffic = TrafficLoop.Start(oldApi.BaseAddress, account.Tokens.Access))
        {
            await traffic.AdvanceAsync("through the old API");
            // The window's condition (secret-rotation.md): the pool the route reads from already holds a connection for
            // each client. Counted on that pool alone: the writes pool's connection from the sign-up would otherwise pass
            // for one, and the old API would open the missing one with the old password.
            await traffic.GrowReadsPoolAsync(oldApi);
            using var tools = await RecordingTools.CreateAsync((await PostgresServer.SharedAsync()).BinDirectory);
            await using (var sampler = new CommandLineSampler([role.OldPassword, role.NewPassword]))
            {
                rotation = await Command.RunScriptAsync("rotate-postgres-password.sh", [],
                    new Dictionary<string, string>(role.ScriptEnvironment) { ["PG_BIN"] = tools.PgBin });
                await sampler.StopAsync();
                Assert.Empty(sampler.Leaks);
            }
            // psql's own command lines, as ps showed them: it ran, and never with a password on them.
            Assert.Contains(tools.Calls, call => call.Program == "psql");
            Assert.All(tools.Calls, call => Assert.False(call.CommandLine.Contains(role.OldPassword) || call.CommandLine.Contains(role.NewPassword),
                "a command line holds a password"));
            Assert.True(rotation.ExitCode == 0, rotation.ToString());
            // The old API still serves on the connections it opened before the change.
            await traffic.AdvanceAsync("through the old API after the password changed");

            await using var newApi = await ApiProcess.StartAsync(role.ConnectionString(role.NewPassword));
            traffic.Target = newApi.BaseAddress;
            // As a new revision: the old one stops once the traffic has moved (no client is mid-request to it).
            await traffic.MovedAsync();
            Assert.Equal(0, await oldApi.TerminateAsync(TimeSpan.FromSeconds(30)));
            await traffic.AdvanceAsync("through the new API after the old one stopped");
            await traffic.StopAsync();
            output.WriteLine($"{traffic.Succeeded} requests succeeded, {traffic.Failures.Count} failed");
            Assert.True(traffic.Failures.IsEmpty, $"{traffic.Failures.Count} of {traffic.Succeeded + traffic.Failures.Count} requests failed:\n"
                + string.Join('\n', traffic.Failures.Take(10)));
        }

        Assert.Contains("new password logs in, the old one is refused", rotation.Stderr);
        Assert.DoesNotContain(role.OldPassword, rotation.Output);
        Assert.DoesNotContain(role.NewPassword, rotation.Output);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => role.LogInAsync(role.OldPassword));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
        await role.LogInAsync(role.NewPassword);
    }

    [Theory]
    [InlineData(null, "NEW_PGPASSWORD is not set")]
    [InlineData("same", "NEW_PGPASSWORD is the current password")]
    public async Task A_rotation_that_cannot_be_right_is_a_usage_error_and_changes_nothing(string? newPassword, string message)
    {
        await using var role = await RotatedRole.CreateAsync();
        var environment = new Dictionary<string, string>(role.ScriptEnvironment);
        if (newPassword is null)
        {
            environment.Remove("NEW_PGPASSWORD");
        }
        else
        {
            environment["NEW_PGPASSWORD"] = role.OldPassword;
        }

        var result = await Command.RunScriptAsync("rotate-postgres-password.sh", [], environment);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.DoesNotContain(role.OldPassword, result.Output);
        await role.LogInAsync(role.OldPassword);
    }

    /// <summary>
    /// A superuser login role of its own (as the deployment's <c>postgres</c>) owning a fresh database, with a
    /// password of characters a URL must encode; dropped afterwards.
    /// </summary>
    private sealed class RotatedRole : IAsyncDisposable
    {
        private readonly PostgresServer _server;

        private RotatedRole(PostgresServer server, string name)
        {
            _server = server;
            Name = name;
        }

        public string Name { get; }
        public string Database => Name;
        public string OldPassword { get; } = $"old/{Guid.NewGuid():N}@";
        public string NewPassword { get; } = $"new+{Guid.NewGuid():N}";

        public Dictionary<string, string> ScriptEnvironment => new()
        {
            ["DATABASE_URL"] = $"postgresql://{Name}:{Uri.EscapeDataString(OldPassword)}@127.0.0.1:{_server.Port}/{Database}",
            ["NEW_PGPASSWORD"] = NewPassword,
            ["PG_BIN"] = _server.BinDirectory,
        };

        public static async Task<RotatedRole> CreateAsync()
        {
            var server = await PostgresServer.SharedAsync();
            var role = new RotatedRole(server, "rotation_" + Guid.NewGuid().ToString("N")[..12]);
            await using var connection = new NpgsqlConnection(server.ConnectionString());
            await connection.OpenAsync();
            await ExecuteAsync(connection, $"create role {role.Name} login superuser password '{role.OldPassword}'");
            await ExecuteAsync(connection, $"create database {role.Database} owner {role.Name}");
            return role;
        }

        // Pooled, as deployed: the pool's open connections are what carry the API across the change.
        public string ConnectionString(string password) => new NpgsqlConnectionStringBuilder(_server.ConnectionString(Database))
        {
            Username = Name,
            Password = password,
            Pooling = true,
        }.ConnectionString;

        public async Task LogInAsync(string password)
        {
            // A connection of its own, outside any pool, so the password is checked now.
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString(password)) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
        }

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_server.ConnectionString());
            await connection.OpenAsync();
            await ExecuteAsync(connection, $"drop database if exists {Database} with (force)");
            await ExecuteAsync(connection, $"drop role if exists {Name}");
        }

        // One statement a command: CREATE and DROP DATABASE refuse to run in a batch.
        private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Two clients asking a database-backed route in turn, at a light pace, of whichever API is the target now.</summary>
    private sealed class TrafficLoop : IAsyncDisposable
    {
        public const int Clients = 2;
        private const string Route = "/api/v1/enrollments";

        private readonly string _accessToken;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _clients;
        private readonly Uri?[] _lastAnswered = new Uri?[Clients];
        private int _succeeded;
        private volatile Uri _target;

        private TrafficLoop(Uri target, string accessToken)
        {
            _target = target;
            _accessToken = accessToken;
            _clients = [.. Enumerable.Range(0, Clients).Select(client => Task.Run(() => RunAsync(client)))];
        }

        /// <summary>Where the next requests go: switching it is the balancer moving traffic to a new revision.</summary>
        public Uri Target
        {
            get => _target;
            set => _target = value;
        }
        public int Succeeded => Volatile.Read(ref _succeeded);
        public ConcurrentQueue<string> Failures { get; } = new();

        public static TrafficLoop Start(Uri target, string accessToken) => new(target, accessToken);

        /// <summary>Waits for 20 more successful requests; failing, it shows the first failures.</summary>
        public Task AdvanceAsync(string stage)
        {
            var from = Succeeded;
            return Wait.ForAsync(() => Task.FromResult(Succeeded), succeeded => succeeded >= from + 20, TimeSpan.FromSeconds(30),
                succeeded => $"{succeeded - from} of 20 requests {stage} succeeded; failures:\n{string.Join('\n', Failures.Take(5))}");
        }

        /// <summary>
        /// Waits until the reads pool of <paramref name="api"/> holds a connection for each client, sending bursts of
        /// concurrent requests to grow it: the loop's own two clients may go on taking turns on one connection.
        /// </summary>
        public async Task GrowReadsPoolAsync(ApiProcess api)
        {
            using var client = api.CreateHttpClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _accessToken);
            await Wait.UntilAsync(async () =>
            {
                foreach (var response in await Task.WhenAll(Enumerable.Range(0, 4 * Clients).Select(_ => client.GetAsync(Route))))
                {
                    using (response)
                    {
                        response.EnsureSuccessStatusCode();
                    }
                }
                var metrics = await PrometheusText.ScrapeAsync(client);
                return metrics.Value("db_pool_connections", ("pool", DatabasePoolGauges.ReadsPool)) >= Clients;
            }, TimeSpan.FromSeconds(30), $"the reads pool holding {Clients} connections");
        }

        /// <summary>Waits until every client's last answer came from the current target.</summary>
        public Task MovedAsync() =>
            Wait.UntilAsync(() => Enumerable.Range(0, Clients).All(client => Volatile.Read(ref _lastAnswered[client]) == Target), TimeSpan.FromSeconds(30),
                "every client answered by the new target");

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_clients);
        }

        public ValueTask DisposeAsync() => new(StopAsync());

        private async Task RunAsync(int index)
        {
            using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(1) })
            {
                Timeout = TimeSpan.FromSeconds(10),
            };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _accessToken);
            while (!_stop.IsCancellationRequested)
            {
                var target = Target;
                try
                {
                    using var response = await client.GetAsync(new Uri(target, Route));
                    Volatile.Write(ref _lastAnswered[index], target);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref _succeeded);
                    }
                    else
                    {
                        Failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {target} {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                    // A light loop: a few tens of requests a second, not a load test.
                    await Task.Delay(25, _stop.Token);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // Whatever a request ends in, it is a failed request to count, not the end of the loop.
                    Failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {target} {e.GetType().Name}: {e.Message}");
                }
            }
        }
    }
}
