using TrainingPlatform.Api.RateLimiting;

namespace TrainingPlatform.Tests.Api;

public class RateLimitTests
{
    /// <summary>The API README's table is the one statement of the limits: each default it names is the code's.</summary>
    [Fact]
    public void The_readme_states_every_limit_with_the_codes_default()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "TrainingPlatform.Api", "README.md"));
        var section = readme[readme.IndexOf("## Rate limits", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var defaults = new RateLimitSettings();
        var stated = 0;
        foreach (Match row in Regex.Matches(section, @"`RateLimits:(\w+)` per `RateLimits:(\w+)` \| (\d+) per (\d+) s \|"))
        {
            Assert.Equal(Setting(defaults, row.Groups[1].Value), int.Parse(row.Groups[3].Value));
            Assert.Equal(Setting(defaults, row.Groups[2].Value), int.Parse(row.Groups[4].Value));
            stated++;
        }
        var limits = typeof(RateLimitSettings).GetProperties().Count(p => p.PropertyType == typeof(int) && !p.Name.EndsWith("Seconds", StringComparison.Ordinal));
        Assert.Equal(limits, stated);
    }

    private static int Setting(RateLimitSettings settings, string name) =>
        (int)typeof(RateLimitSettings).GetProperty(name)!.GetValue(settings)!;

    private static Dictionary<string, string?> Limits(int perIp, int perAccount) => new(ApiFixture.Settings)
    {
        ["RateLimits:PermitLimit"] = perIp.ToString(),
        ["RateLimits:AccountPermitLimit"] = perAccount.ToString(),
        ["RateLimits:WindowSeconds"] = "300",
    };

    [Fact]
    public async Task Too_many_sign_ins_from_one_address_get_429_with_retry_after()
    {
        await using var api = await ApiServer.StartAsync(Limits(perIp: 3, perAccount: 1000));
        using var client = api.CreateHttpClient();

        for (var i = 0; i < 3; i++)
        {
            var allowed = await client.PostAsJsonAsync("/api/v1/token/", new { email = $"who{i}@example.test", password = "whatever it is" });
            Assert.Equal(HttpStatusCode.Unauthorized, allowed.StatusCode);
        }
        var limited = await client.PostAsJsonAsync("/api/v1/token/", new { email = "who@example.test", password = "whatever it is" });

        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After should say how long to wait");
        // Other route families have their own budget.
        var register = await client.PostAsJsonAsync("/api/v1/auth/register", new { });
        Assert.Equal(HttpStatusCode.BadRequest, register.StatusCode);
    }

    [Fact]
    public async Task Too_many_attempts_on_one_account_get_429_while_other_accounts_go_on()
    {
        await using var api = await ApiServer.StartAsync(Limits(perIp: 1000, perAccount: 2));
        using var client = api.CreateHttpClient();

        for (var i = 0; i < 2; i++)
        {
            var allowed = await client.PostAsJsonAsync("/api/v1/token", new { email = "target@example.test", password = "guess number " + i });
            Assert.Equal(HttpStatusCode.Unauthorized, allowed.StatusCode);
        }
        var limited = await client.PostAsJsonAsync("/api/v1/token", new { email = "TARGET@example.test", password = "guess number 3" });
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);

        var resets = await client.PostAsJsonAsync("/api/v1/password/reset", new { email = "target@example.test" });
        Assert.Equal(HttpStatusCode.Accepted, resets.StatusCode);
        var other = await client.PostAsJsonAsync("/api/v1/token", new { email = "someone.else@example.test", password = "guess number 1" });
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Fact]
    public async Task Registrations_and_password_routes_are_limited_too()
    {
        await using var api = await ApiServer.StartAsync(Limits(perIp: 1, perAccount: 1000));
        using var client = api.CreateHttpClient();

        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/v1/auth/register", new { })).StatusCode);
        await (await client.PostAsJsonAsync("/api/v1/auth/register", new { })).AssertProblemAsync(HttpStatusCode.TooManyRequests);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email = "a@example.test" })).StatusCode);
        await (await client.PostAsJsonAsync("/api/v1/password/reset/confirm", new { })).AssertProblemAsync(HttpStatusCode.TooManyRequests);
    }
}
