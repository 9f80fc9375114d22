using TrainingPlatform.Tests.Api;
using TrainingPlatform.Tests.ServiceDefaults;

namespace TrainingPlatform.Tests.Reliability;

/// <summary>
/// Password guessing against /api/v1/token/, from one address, from many addresses behind a trusted proxy, and
/// from one address pretending to be many. The API's RateLimitTests cover the plain single-address cases.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public class BruteForceTests
{
    private const int Limit = 3;
    private const string TokenPath = "/api/v1/token/";

    [Fact]
    public async Task Behind_a_trusted_proxy_each_client_address_and_each_account_has_its_own_budget()
    {
        await using var api = await StartAsync(new Dictionary<string, string?> { ["ForwardedHeaders__KnownProxies__0"] = "127.0.0.1" });
        using var client = api.CreateHttpClient();
        // Registered, not signed in: a sign-in would spend one of the account's attempts.
        var victim = new { email = "victim@example.test", password = TestAccounts.Password };
        await TestAccounts.RegisterAsync(client, victim.email, victim.password);

        // Per address: one client guessing different accounts.
        for (var i = 0; i < Limit; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await GuessAsync(client, "203.0.113.10", $"someone{i}@example.test")).StatusCode);
        }
        await AssertLimitedAsync(await GuessAsync(client, "203.0.113.10", "someone-new@example.test"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await GuessAsync(client, "203.0.113.11", "someone-new@example.test")).StatusCode);

        // Per account: one account guessed from many addresses, each within its own budget, trips the account's brake.
        for (var i = 0; i < Limit; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await GuessAsync(client, $"198.51.100.{i + 1}", victim.email)).StatusCode);
        }
        // An address that has already failed on the account gets nothing more while the brake is on...
        await AssertLimitedAsync(await GuessAsync(client, "198.51.100.1", victim.email));
        // ...a fresh address gets one attempt, and a wrong one closes it too...
        Assert.Equal(HttpStatusCode.Unauthorized, (await GuessAsync(client, "198.51.100.50", victim.email)).StatusCode);
        await AssertLimitedAsync(await GuessAsync(client, "198.51.100.50", victim.email, victim.password));
        // ...while the owner, from an address that has not failed, still signs in: others' failures cannot lock them out.
        Assert.Equal(HttpStatusCode.OK, (await GuessAsync(client, "198.51.100.51", victim.email, victim.password)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GuessAsync(client, "198.51.100.52", "another@example.test")).StatusCode);

        await AssertCountedAsync(api, rateLimited: 3);
    }

    [Fact]
    public async Task Reset_requests_for_one_account_are_limited_across_addresses_and_other_accounts_go_on()
    {
        await using var api = await StartAsync(new Dictionary<string, string?> { ["ForwardedHeaders__KnownProxies__0"] = "127.0.0.1" });
        using var client = api.CreateHttpClient();

        for (var i = 0; i < Limit; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await ResetAsync(client, $"203.0.113.{i + 20}", "flooded@example.test")).StatusCode);
        }

        await AssertLimitedAsync(await ResetAsync(client, "203.0.113.99", "flooded@example.test"));
        Assert.Equal(HttpStatusCode.Accepted, (await ResetAsync(client, "203.0.113.99", "someone-else@example.test")).StatusCode);
    }

    [Fact]
    public async Task X_Forwarded_For_from_an_untrusted_peer_is_ignored_and_the_real_address_is_limited()
    {
        // A proxy is configured, but it is not the loopback peer the requests come from.
        await using var api = await StartAsync(new Dictionary<string, string?> { ["ForwardedHeaders__KnownProxies__0"] = "10.255.255.1" });
        using var client = api.CreateHttpClient();

        for (var i = 0; i < Limit; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await GuessAsync(client, $"192.0.2.{i + 1}", $"spoof{i}@example.test")).StatusCode);
        }
        await AssertLimitedAsync(await GuessAsync(client, "192.0.2.99", "spoof-more@example.test"));

        await AssertCountedAsync(api, rateLimited: 1);
        var security = api.Records("security");
        Assert.NotEmpty(security);
        Assert.All(security, record => Assert.Equal("127.0.0.1", record.GetProperty("State").GetProperty("client_ip").GetString()));
    }

    private static Task<ApiProcess> StartAsync(Dictionary<string, string?> overrides)
    {
        overrides["RateLimits__PermitLimit"] = Limit.ToString();
        overrides["RateLimits__AccountPermitLimit"] = Limit.ToString();
        overrides["RateLimits__AccountBrakeLimit"] = Limit.ToString();
        overrides["RateLimits__AccountResetLimit"] = Limit.ToString();
        overrides["RateLimits__WindowSeconds"] = "300";
        return StartOnFreshDatabaseAsync(overrides);
    }

    private static async Task<ApiProcess> StartOnFreshDatabaseAsync(Dictionary<string, string?> overrides)
    {
        var postgres = await PostgresServer.SharedAsync();
        return await ApiProcess.StartAsync(await postgres.CreateDatabaseAsync(), overrides);
    }

    private static async Task<HttpResponseMessage> GuessAsync(HttpClient client, string forwardedFor, string email, string password = "a wrong guess 123")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenPath) { Content = JsonContent.Create(new { email, password }) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> ResetAsync(HttpClient client, string forwardedFor, string email)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/password/reset") { Content = JsonContent.Create(new { email }) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await client.SendAsync(request);
    }

    private static async Task AssertLimitedAsync(HttpResponseMessage response)
    {
        await response.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 must say when to retry");
    }

    private static async Task AssertCountedAsync(ApiProcess api, int rateLimited)
    {
        using var client = api.CreateHttpClient();
        // The audit counts an answer just after it is sent: wait for the count, then check it is exactly that.
        var metrics = await PrometheusText.ScrapeUntilAsync(client,
            m => m.ValueOrZero(HttpMeasures.SecurityEventsTotal, ("reason", "rate_limited"), ("path_template", "/api/v1/token")) >= rateLimited,
            TimeSpan.FromSeconds(10));
        Assert.Equal(rateLimited, metrics.Value(HttpMeasures.SecurityEventsTotal, ("reason", "rate_limited"), ("path_template", "/api/v1/token")));
        Assert.Equal(0, metrics.ValueOrZero(HttpMeasures.ServerErrorsTotal));
    }
}
