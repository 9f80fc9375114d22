namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// The one way tests make and sign in accounts, over HTTP as any client does, against any host of the API: the
/// caller passes a way to make a client of that host (an in-process server, a process, the stack's ingress).
/// </summary>
public static class TestAccounts
{
    public const string Password = "correct horse battery staple";

    /// <summary>Registers a new account with <paramref name="role"/>, signs it in, and returns it with a client carrying its access token.</summary>
    public static async Task<TestAccount> NewAsync(Func<HttpClient> clients, string role = "learner", string? password = null)
    {
        password ??= Password;
        var email = $"{role}-{Guid.NewGuid():N}@example.test";
        using var anonymous = clients();
        var user = await RegisterAsync(anonymous, email, password, role);
        var tokens = await SignInAsync(anonymous, email, password);
        var client = clients();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Access);
        return new TestAccount(user.Id, email, password, tokens, client);
    }

    public static async Task<UserBody> RegisterAsync(HttpClient client, string email, string password = Password, string role = "learner",
        string? displayName = null, CancellationToken cancellation = default)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/auth/register",
            new { email, password, displayName = displayName ?? "Test " + role, role }, cancellation);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<UserBody>(cancellation))!;
    }

    public static async Task<TokenBody> SignInAsync(HttpClient client, string email, string password = Password)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/token", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenBody>())!;
    }
}

public sealed record TestAccount(long Id, string Email, string Password, TokenBody Tokens, HttpClient Client);

public sealed record TokenBody(string Access, string Refresh, string TokenType, int ExpiresIn);

public sealed record UserBody(long Id, string Email, string DisplayName, string Role, DateTime CreatedAt);
