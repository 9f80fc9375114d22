using TrainingPlatform.Tests.Api;

namespace TrainingPlatform.Tests.Reliability;

/// <summary>
/// Two API processes on one database, as replicas behind a load balancer. A session ended through one replica
/// (logout, logout-all, password change, password reset, refresh token reuse) must stop its access tokens on the
/// other replica within 5 seconds, even though that replica had just accepted them.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public class SessionEndTests(TwoReplicas replicas) : IClassFixture<TwoReplicas>
{
    private static readonly TimeSpan Promise = TimeSpan.FromSeconds(5);

    public static TheoryData<string> Endings() => ["logout", "logout-all", "password change", "password reset", "refresh token reuse"];

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task Access_tokens_of_an_ended_session_answer_401_on_every_replica_within_5_seconds(string ending)
    {
        var (a, b) = (replicas.A, replicas.B);
        var account = await a.RegisterAsync();
        using var clientOfB = b.CreateHttpClient();
        var other = await TestAccounts.SignInAsync(clientOfB, account.Email, account.Password);
        // Each replica has just accepted both tokens, so a cached "still live" answer is what must expire.
        foreach (var replica in new[] { a, b })
        {
            Assert.Equal(HttpStatusCode.OK, await MeAsync(replica, account.Tokens.Access));
            Assert.Equal(HttpStatusCode.OK, await MeAsync(replica, other.Access));
        }

        using var client = a.CreateHttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", account.Tokens.Access);
        List<string> ended = [account.Tokens.Access];
        List<string> live = [];
        switch (ending)
        {
            case "logout":
                Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync("/api/v1/auth/logout", new { refresh = account.Tokens.Refresh })).StatusCode);
                live.Add(other.Access);
                break;
            case "logout-all":
                Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/v1/auth/logout", null)).StatusCode);
                ended.Add(other.Access);
                break;
            case "password change":
                var changed = await client.PostAsJsonAsync("/api/v1/password/change", new { currentPassword = account.Password, newPassword = "a brand new passphrase" });
                Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
                ended.Add(other.Access);
                live.Add((await changed.Content.ReadFromJsonAsync<TokenBody>())!.Access);
                break;
            case "password reset":
                Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email = account.Email })).StatusCode);
                var confirmed = await client.PostAsJsonAsync("/api/v1/password/reset/confirm",
                    new { token = await replicas.ResetTokenSentToAsync(account.Email), newPassword = "the reset passphrase" });
                Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
                ended.Add(other.Access);
                break;
            case "refresh token reuse":
                var rotated = await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = account.Tokens.Refresh });
                Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
                await (await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = account.Tokens.Refresh })).AssertProblemAsync(HttpStatusCode.Unauthorized);
                ended.Add((await rotated.Content.ReadFromJsonAsync<TokenBody>())!.Access);
                live.Add(other.Access);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(ending));
        }
        var since = Stopwatch.StartNew();

        foreach (var replica in new[] { b, a })
        {
            foreach (var token in ended)
            {
                await UntilUnauthorizedAsync(replica, token, since);
            }
            foreach (var token in live)
            {
                Assert.Equal(HttpStatusCode.OK, await MeAsync(replica, token));
            }
        }
    }

    [Fact]
    public async Task A_session_check_the_database_cannot_answer_is_a_503_not_a_401()
    {
        await using var postgres = await PostgresServer.StartNewAsync();
        await using var api = await ApiProcess.StartAsync(await postgres.CreatePooledDatabaseAsync());
        var account = await api.RegisterAsync();

        await postgres.StopAsync();
        using var response = await account.Client.GetAsync("/api/v1/auth/me");

        // A client told 401 would drop its tokens and sign in again; the outage is the server's, and temporary.
        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
    }

    private static async Task UntilUnauthorizedAsync(ApiProcess replica, string token, Stopwatch since)
    {
        while (await MeAsync(replica, token) != HttpStatusCode.Unauthorized)
        {
            Assert.True(since.Elapsed < Promise, $"an access token of the ended session still worked on {replica.BaseAddress} after {since.Elapsed.TotalSeconds:0.0} s");
            await Task.Delay(100);
        }
    }

    private static async Task<HttpStatusCode> MeAsync(ApiProcess replica, string token)
    {
        using var client = replica.CreateHttpClient(TimeSpan.FromSeconds(10));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync("/api/v1/auth/me");
        return response.StatusCode;
    }
}

/// <summary>Two API processes on one database; A logs password reset tokens (Debug) so a test can follow the link.</summary>
public sealed class TwoReplicas : IAsyncLifetime
{
    private const string ResetCategory = "TrainingPlatform.PasswordReset";

    public ApiProcess A { get; private set; } = null!;
    public ApiProcess B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.SharedAsync();
        var connectionString = await postgres.CreatePooledDatabaseAsync();
        A = await ApiProcess.StartAsync(connectionString, new Dictionary<string, string?> { [$"Logging__LogLevel__{ResetCategory}"] = "Debug" });
        B = await ApiProcess.StartAsync(connectionString);
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }

    /// <summary>The reset token A's development sender wrote for <paramref name="email"/> (console output is asynchronous).</summary>
    public async Task<string> ResetTokenSentToAsync(string email)
    {
        var sent = await Wait.ForAsync(
            () => Task.FromResult(A.Records(ResetCategory).Select(record => record.GetProperty("State"))
                .LastOrDefault(state => state.GetProperty("Email").GetString() == email)),
            state => state.ValueKind != System.Text.Json.JsonValueKind.Undefined, TimeSpan.FromSeconds(10), _ => $"a reset token for {email} in the log");
        return sent.GetProperty("Token").GetString()!;
    }
}
