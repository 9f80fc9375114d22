using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using TrainingPlatform.Tests.Api;

namespace TrainingPlatform.Tests.Reliability;

/// <summary>Accounts on an <see cref="ApiProcess"/>: registered and signed in over HTTP like any client.</summary>
public static class Accounts
{
    public const string Password = "correct horse battery staple";

    /// <summary>Registers an account with <paramref name="role"/> and returns it signed in, with a client carrying its token.</summary>
    public static async Task<TestAccount> RegisterAsync(this ApiProcess api, string role = "learner", string? password = null)
    {
        password ??= Password;
        var email = $"{role}-{Guid.NewGuid():N}@example.test";
        using var anonymous = api.CreateHttpClient();
        var registered = await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email, password, displayName = "Reliability " + role, role });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var user = (await registered.Content.ReadFromJsonAsync<UserBody>())!;
        var signedIn = await anonymous.PostAsJsonAsync("/api/v1/token", new { email, password });
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var tokens = (await signedIn.Content.ReadFromJsonAsync<TokenBody>())!;
        var client = api.CreateHttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Access);
        return new TestAccount(user.Id, email, password, tokens, client);
    }
}
