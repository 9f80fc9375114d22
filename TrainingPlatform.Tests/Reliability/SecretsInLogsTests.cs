using TrainingPlatform.Tests.Api;

namespace TrainingPlatform.Tests.Reliability;

/// <summary>
/// Every line the API process writes, as JSON console logs with every category at Information, through a whole
/// account life cycle (a password reset by real email included), a database outage and a failed start-up: not one
/// password, token or database password.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public class SecretsInLogsTests
{
    private static readonly Dictionary<string, string?> Verbose = new()
    {
        ["Logging__LogLevel__Default"] = "Information",
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
        ["Logging__LogLevel__Npgsql"] = "Information",
    };

    [Fact]
    public async Task No_password_token_or_connection_string_password_reaches_the_log()
    {
        await using var postgres = await PostgresServer.StartNewAsync();
        var connectionString = await postgres.CreatePooledDatabaseAsync();
        var mail = await MailCatcher.SharedAsync();
        await using var api = await ApiProcess.StartAsync(connectionString, new Dictionary<string, string?>(Verbose.Concat(mail.ApiSettings))
        {
            ["PasswordReset__Sender"] = null,
        });
        var secrets = new List<string> { postgres.Password, ApiProcess.SigningKey };
        using var anonymous = api.CreateHttpClient();

        // Register, a wrong guess, sign in, refresh, reuse of a spent refresh token.
        var email = $"secret-keeper-{Guid.NewGuid():N}@example.test";
        var password = "first password " + Guid.NewGuid().ToString("N");
        var guess = "wrong guess " + Guid.NewGuid().ToString("N");
        secrets.AddRange([password, guess]);
        await TestAccounts.RegisterAsync(anonymous, email, password, "instructor");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/token", new { email, password = guess })).StatusCode);
        var first = await SignInAsync(anonymous, email, password, secrets);
        var refreshed = await ReadTokensAsync(await anonymous.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = first.Refresh }), secrets);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = first.Refresh })).StatusCode);

        // A refresh token and an expired-looking garbage token presented as access tokens.
        foreach (var bearer in new[] { refreshed.Refresh, refreshed.Access[..^4] + "AAAA" })
        {
            using var forged = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
            forged.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(forged)).StatusCode);
        }

        // Password reset through a real mail server: the token and the link travel by email, never to the log.
        Assert.Equal(HttpStatusCode.Accepted, (await anonymous.PostAsJsonAsync("/api/v1/password/reset", new { email })).StatusCode);
        var resetEmail = Assert.Single(await mail.WaitForMessagesAsync(email, 1, TimeSpan.FromSeconds(30)));
        var resetToken = ResetEmails.Token(resetEmail);
        var reset = "reset password " + Guid.NewGuid().ToString("N");
        secrets.AddRange([resetToken, Uri.EscapeDataString(resetToken), reset]);
        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.PostAsJsonAsync("/api/v1/password/reset/confirm",
            new { token = resetToken, newPassword = reset })).StatusCode);

        // Change the password, upload a file, sign out.
        var afterReset = await SignInAsync(anonymous, email, reset, secrets);
        using var signedIn = api.CreateHttpClient();
        signedIn.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", afterReset.Access);
        var changed = "changed password " + Guid.NewGuid().ToString("N");
        secrets.Add(changed);
        var current = await ReadTokensAsync(await signedIn.PostAsJsonAsync("/api/v1/password/change",
            new { currentPassword = reset, newPassword = changed }), secrets);
        signedIn.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", current.Access);
        var course = await (await signedIn.PostAsJsonAsync("/api/v1/courses", new { title = "Secrets", description = "", published = true }))
            .Content.ReadFromJsonAsync<CourseBody>();
        Assert.Equal(HttpStatusCode.Created,
            (await signedIn.PostAsync("/api/v1/upload", UploadForms.Of(course!.Id.ToString(), "material.txt", "material"u8.ToArray()))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await signedIn.PostAsJsonAsync("/api/v1/auth/logout", new { refresh = current.Refresh })).StatusCode);

        // The database goes away: the outage and the failing health check are logged.
        await postgres.StopAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await anonymous.PostAsJsonAsync("/api/v1/token", new { email, password = changed })).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(0, await api.TerminateAsync(TimeSpan.FromSeconds(30)));

        // A start-up with a wrong database password fails, and says why without the password.
        var wrongPassword = "wrong-db-password-" + Guid.NewGuid().ToString("N");
        secrets.Add(wrongPassword);
        await postgres.StartAsync();
        var wrong = new NpgsqlConnectionStringBuilder(connectionString) { Password = wrongPassword }.ConnectionString;
        var (exitCode, failed) = await ApiProcess.RunToExitAsync(wrong, Verbose, TimeSpan.FromSeconds(60));
        await using var _ = failed;
        Assert.NotEqual(0, exitCode);
        Assert.Contains("password authentication failed", failed.Output);

        var lines = api.LogLines;
        Assert.Contains(lines, line => line.Contains("\"Category\":\"TrainingPlatform.Access\"") && line.Contains("/api/v1/password/reset/confirm"));
        Assert.Contains(lines, line => line.Contains("\"Category\":\"security\""));
        Assert.Contains(lines, line => line.Contains("Password reset email sent for user"));
        Assert.Contains(lines, line => line.Contains("Database unavailable"));
        Assert.All(lines, line => JsonDocument.Parse(line).Dispose());
        foreach (var (name, output) in new[] { ("the API", api.Output), ("the failed start-up", failed.Output) })
        {
            foreach (var secret in secrets)
            {
                Assert.False(output.Contains(secret, StringComparison.Ordinal), $"{name} logged a secret ({secret[..Math.Min(8, secret.Length)]}…)");
            }
        }
    }

    private static async Task<TokenBody> SignInAsync(HttpClient client, string email, string password, List<string> secrets) =>
        await ReadTokensAsync(await client.PostAsJsonAsync("/api/v1/token", new { email, password }), secrets);

    // Both tokens, and the access token's signature on its own (a log could carry just that part).
    private static async Task<TokenBody> ReadTokensAsync(HttpResponseMessage response, List<string> secrets)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = (await response.Content.ReadFromJsonAsync<TokenBody>())!;
        secrets.AddRange([tokens.Access, tokens.Access.Split('.')[2], tokens.Refresh]);
        return tokens;
    }
}
