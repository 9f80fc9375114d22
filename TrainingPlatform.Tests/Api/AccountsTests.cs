namespace TrainingPlatform.Tests.Api;

public class AccountsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Registering_returns_the_new_account_and_me_shows_it()
    {
        using var client = api.Anonymous();
        var response = await client.PostAsJsonAsync("/api/v1/auth/register/",
            new { email = " New.Person@Example.test ", password = "a long enough passphrase", displayName = "New Person", role = "instructor" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var user = (await response.Content.ReadFromJsonAsync<UserBody>())!;
        Assert.Equal("new.person@example.test", user.Email);
        Assert.Equal("instructor", user.Role);

        var tokens = await api.SignInAsync("NEW.person@example.test", "a long enough passphrase");
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Access);
        var meResponse = await client.SendAsync(me);
        Assert.Equal(HttpStatusCode.OK, meResponse.StatusCode);
        Assert.Equal(user, await meResponse.Content.ReadFromJsonAsync<UserBody>());
    }

    [Theory]
    [InlineData("Password12345", "commonly used password")]
    [InlineData("iloveyou2024", "commonly used password")]
    [InlineData("qwertyuiop[]", "keyboard pattern")]
    [InlineData("dolores.umbridge.1962", "email or name")]
    public async Task A_guessable_password_is_refused_with_the_reason(string password, string reason)
    {
        using var client = api.Anonymous();
        var response = await client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = "dolores.umbridge@example.test", password, displayName = "Dolores Umbridge", role = "learner" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("password").EnumerateArray()).GetString()!;
        Assert.StartsWith("Too easy to guess: ", message);
        Assert.Contains(reason, message);
        Assert.DoesNotContain(password, message);
    }

    [Fact]
    public async Task A_long_passphrase_signs_up_and_in_and_one_past_the_maximum_is_refused()
    {
        // Past 64 characters (ASVS 6.2.9), up to the maximum of 128.
        var passphrase = string.Join(' ', Enumerable.Repeat("otters juggle amber lanterns under quiet drizzle", 3))[..128];
        using var client = api.Anonymous();
        await TestAccounts.RegisterAsync(client, "long.passphrase@example.test", passphrase);
        await api.SignInAsync("long.passphrase@example.test", passphrase);

        var tooLong = await client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = "too.long@example.test", password = passphrase + "x", displayName = "Too Long", role = "learner" });
        Assert.Equal(["password"], await tooLong.AssertFieldErrorsAsync());
    }

    [Fact]
    public async Task Registering_an_email_twice_is_a_conflict()
    {
        var existing = await api.NewAccountAsync();
        using var client = api.Anonymous();
        var response = await client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = existing.Email.ToUpperInvariant(), password = "another long passphrase", displayName = "Copy", role = "learner" });
        await response.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("""{"password":"a long enough passphrase","displayName":"X","role":"learner"}""", "email")]
    [InlineData("""{"email":"not-an-email","password":"a long enough passphrase","displayName":"X","role":"learner"}""", "email")]
    [InlineData("""{"email":"a@example.test","password":"short","displayName":"X","role":"learner"}""", "password")]
    [InlineData("""{"email":"a@example.test","password":"qwertyuiop","displayName":"X","role":"learner"}""", "password")]
    [InlineData("""{"email":"a@example.test","password":"a long enough passphrase","role":"learner"}""", "displayName")]
    [InlineData("""{"email":"a@example.test","password":"a long enough passphrase","displayName":"X","role":"admin"}""", "role")]
    [InlineData("""{"email":"a@example.test","password":"a long enough passphrase","displayName":"X"}""", "role")]
    [InlineData("""{"email":"a@example.test","password":"a long enough passphrase","displayName":"X","role":7}""", "role")]
    public async Task Invalid_registrations_get_field_errors_and_write_nothing(string body, string field)
    {
        var before = await api.CountAsync("users");
        using var client = api.Anonymous();
        var response = await client.PostAsync("/api/v1/auth/register/", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Contains(field, await response.AssertFieldErrorsAsync());
        Assert.Equal(before, await api.CountAsync("users"));
    }

    [Theory]
    [InlineData("Alice\r\nPlease confirm at https://evil.example", "U+000D")]
    [InlineData("Alice\nBob", "U+000A")]
    [InlineData("Alice\tBob", "U+0009")]
    [InlineData("Alice \u202Egnp.exe", "U+202E")]
    [InlineData("Alice\u2066Bob\u2069", "U+2066")]
    [InlineData("Al\u200Bice", "U+200B")]
    [InlineData("Alice\u2028Bob", "U+2028")]
    [InlineData("Alice\u2029Bob", "U+2029")]
    [InlineData("Alice\u0085Bob", "U+0085")]
    public async Task A_display_name_with_control_or_format_characters_is_a_400_field_error(string displayName, string named)
    {
        var before = await api.CountAsync("users");
        using var client = api.Anonymous();

        var response = await client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = $"controls-{Guid.NewGuid():N}@example.test", password = "a long enough passphrase", displayName, role = "learner" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("displayName").EnumerateArray()).GetString();
        Assert.Contains(named, message);
        Assert.Equal(before, await api.CountAsync("users"));
    }

    [Fact]
    public async Task A_display_name_in_any_script_with_emoji_is_accepted()
    {
        using var client = api.Anonymous();
        var user = await TestAccounts.RegisterAsync(client, $"script-{Guid.NewGuid():N}@example.test", displayName: "Zoë 李 محمد 🎓");
        Assert.Equal("Zoë 李 محمد 🎓", user.DisplayName);
    }

    [Fact]
    public async Task Over_long_fields_are_rejected()
    {
        using var client = api.Anonymous();
        var response = await client.PostAsJsonAsync("/api/v1/auth/register/", new
        {
            email = new string('a', 250) + "@example.test",
            password = "a long enough passphrase",
            displayName = new string('x', 101),
            role = "learner",
        });
        Assert.Equal(["displayName", "email"], await response.AssertFieldErrorsAsync());
    }

    [Theory]
    [InlineData("{\"email\": ")]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("")]
    public async Task Malformed_json_is_a_400_problem_and_writes_nothing(string body)
    {
        var before = await api.CountAsync("users");
        using var client = api.Anonymous();
        var response = await client.PostAsync("/api/v1/auth/register", new StringContent(body, Encoding.UTF8, "application/json"));
        await response.AssertFieldErrorsAsync();
        Assert.Equal(before, await api.CountAsync("users"));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_unsupported()
    {
        using var client = api.Anonymous();
        var response = await client.PostAsync("/api/v1/auth/register", new StringContent("email=a@b.c", Encoding.UTF8, "text/plain"));
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_get_the_same_401()
    {
        var account = await api.NewAccountAsync();
        using var client = api.Anonymous();

        var wrongPassword = await client.PostAsJsonAsync("/api/v1/token/", new { email = account.Email, password = "not the password at all" });
        var unknownEmail = await client.PostAsJsonAsync("/api/v1/token/", new { email = "nobody-" + account.Email, password = "not the password at all" });

        var first = await wrongPassword.AssertProblemAsync(HttpStatusCode.Unauthorized);
        var second = await unknownEmail.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(first.GetProperty("title").GetString(), second.GetProperty("title").GetString());
        Assert.Equal(first.GetProperty("detail").GetString(), second.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_token_request_without_a_password_is_a_400()
    {
        using var client = api.Anonymous();
        var response = await client.PostAsJsonAsync("/api/v1/token", new { email = "someone@example.test" });
        Assert.Equal(["password"], await response.AssertFieldErrorsAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl")]
    public async Task Me_without_a_valid_token_is_401(string? token)
    {
        using var client = api.Anonymous();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        var response = await client.GetAsync("/api/v1/auth/me/");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task Refresh_rotates_the_token_and_reusing_a_spent_one_revokes_the_family()
    {
        var account = await api.NewAccountAsync();
        using var client = api.Anonymous();

        var first = await client.PostAsJsonAsync("/api/v1/token/refresh/", new { refresh = account.Tokens.Refresh });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var rotated = (await first.Content.ReadFromJsonAsync<TokenBody>())!;
        Assert.NotEqual(account.Tokens.Refresh, rotated.Refresh);

        // Replaying the spent token: refused, and the thief's replay also kills the legitimate successor.
        var replay = await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = account.Tokens.Refresh });
        await replay.AssertProblemAsync(HttpStatusCode.Unauthorized);
        var successor = await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = rotated.Refresh });
        await successor.AssertProblemAsync(HttpStatusCode.Unauthorized);

        // Another session of the same user is a different family and keeps working.
        var other = await api.SignInAsync(account.Email, account.Password);
        var otherRefresh = await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = other.Refresh });
        Assert.Equal(HttpStatusCode.OK, otherRefresh.StatusCode);
    }

    [Fact]
    public async Task An_unknown_refresh_token_is_401_and_a_missing_one_400()
    {
        using var client = api.Anonymous();
        await (await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = "made-up" })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(["refresh"], await (await client.PostAsJsonAsync("/api/v1/token/refresh", new { })).AssertFieldErrorsAsync());
    }

    [Fact]
    public async Task Logout_revokes_the_session_family()
    {
        var account = await api.NewAccountAsync();
        var otherSession = await api.SignInAsync(account.Email, account.Password);

        var logout = await account.Client.PostAsJsonAsync("/api/v1/auth/logout/", new { refresh = account.Tokens.Refresh });
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        using var client = api.Anonymous();
        await (await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = account.Tokens.Refresh })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = otherSession.Refresh })).StatusCode);
    }

    [Fact]
    public async Task Logout_without_a_body_signs_out_every_session()
    {
        var account = await api.NewAccountAsync();
        var otherSession = await api.SignInAsync(account.Email, account.Password);

        Assert.Equal(HttpStatusCode.NoContent, (await account.Client.PostAsync("/api/v1/auth/logout", null)).StatusCode);

        using var client = api.Anonymous();
        await (await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = otherSession.Refresh })).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Logout_needs_a_signed_in_user()
    {
        using var client = api.Anonymous();
        await (await client.PostAsync("/api/v1/auth/logout", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
