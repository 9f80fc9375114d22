using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using TrainingPlatform.Api.Accounts;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// The brake on password guesses (per account, from all addresses): a guess is counted before its password is
/// checked, in the shared store and in the in-memory fallback alike, so parallel requests cannot outrun it; and a
/// password change's wrong current password spends the same budget as a failed sign-in. Which requests reached the
/// password check is counted by the hasher itself.
/// </summary>
public class PasswordGuessTests
{
    private const string Victim = "victim@example.test";
    private const string WrongPassword = "a wrong guess 123";

    public static TheoryData<string> Stores() => ["memory", "shared"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task With_the_brake_on_parallel_guesses_from_a_new_address_reach_the_password_check_once(string store)
    {
        await using var redis = store == "shared" ? await RedisServer.StartAsync() : null;
        var hasher = new CountingHasher();
        await using var api = await StartAsync(brakeLimit: 1, redis, hasher);
        using var client = api.CreateHttpClient();
        await TestAccounts.RegisterAsync(client, Victim);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(client, "198.51.100.1", WrongPassword)).StatusCode);
        var checkedBefore = hasher.Verifications;

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => SignInAsync(client, "198.51.100.2", WrongPassword)));

        Assert.Equal(1, hasher.Verifications - checkedBefore);
        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(4, refused.Count);
        // The refusal lasts as long as the brake's window has left, not a fixed minute.
        Assert.All(refused, r => Assert.InRange(r.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(800), TimeSpan.FromSeconds(900)));
        // The owner, from an address that has not guessed, still signs in.
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(client, "198.51.100.3", TestAccounts.Password)).StatusCode);
    }

    [Fact]
    public async Task Wrong_current_passwords_on_a_password_change_spend_the_accounts_guesses_like_failed_sign_ins()
    {
        await using var api = await StartAsync(brakeLimit: 2, redis: null, hasher: null);
        using var anonymous = api.CreateHttpClient();
        await TestAccounts.RegisterAsync(anonymous, Victim);
        // A stolen access token, used from one address.
        using var thief = api.CreateHttpClient();
        thief.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            (await TestAccounts.SignInAsync(thief, Victim)).Access);

        for (var i = 0; i < 2; i++)
        {
            var wrong = await thief.PostAsJsonAsync("/api/v1/password/change", new { currentPassword = WrongPassword + i, newPassword = "the thief's passphrase" });
            Assert.Equal(["currentPassword"], await wrong.AssertFieldErrorsAsync());
        }

        var limited = await thief.PostAsJsonAsync("/api/v1/password/change", new { currentPassword = TestAccounts.Password, newPassword = "the thief's passphrase" });
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 must say when to retry");
        // One budget: the same address gets no sign-in guess either...
        await (await thief.PostAsJsonAsync("/api/v1/token", new { email = Victim, password = WrongPassword })).AssertProblemAsync(HttpStatusCode.TooManyRequests);
        // ...while the owner elsewhere signs in with the password the thief did not manage to change.
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(anonymous, "198.51.100.7", TestAccounts.Password)).StatusCode);
    }

    private static async Task<ApiServer> StartAsync(int brakeLimit, RedisServer? redis, CountingHasher? hasher)
    {
        var settings = new Dictionary<string, string?>(ApiFixture.Settings)
        {
            ["RateLimits:AccountBrakeLimit"] = brakeLimit.ToString(),
            ["RateLimits:AccountBrakeWindowSeconds"] = "900",
            // The test's addresses arrive in X-Forwarded-For from loopback, as behind the ingress.
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        };
        if (redis is not null)
        {
            settings["ConnectionStrings:cache"] = redis.ConnectionString;
        }
        var api = await ApiServer.StartAsync(settings, configureServices: hasher is null ? null
            : services => services.AddSingleton<IPasswordHasher<UserAccount>>(hasher));
        if (redis is not null)
        {
            await RedisServer.WaitUntilConnectedAsync(api.Services);
        }
        return api;
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string forwardedFor, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/token") { Content = JsonContent.Create(new { email = Victim, password }) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await client.SendAsync(request);
    }

    /// <summary>The API's hasher (at the tests' cheap iteration count), counting every password check.</summary>
    private sealed class CountingHasher : IPasswordHasher<UserAccount>
    {
        private readonly PasswordHasher<UserAccount> _hasher = new(Options.Create(new PasswordHasherOptions { IterationCount = 1000 }));
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(UserAccount user, string password) => _hasher.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(UserAccount user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _hasher.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
