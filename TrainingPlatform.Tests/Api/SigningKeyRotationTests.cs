using TrainingPlatform.Api.Sessions;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// Rotating the JWT key as ops/docs/secret-rotation.md orders it, over restarts of the API on one database: key A;
/// then B signing with A as <c>Jwt:PreviousSigningKey</c> (A's tokens still pass); then B alone (A's tokens are 401).
/// Refresh tokens live in the database and survive every step. During a rollout, replicas of consecutive steps serve
/// side by side and must accept each other's tokens.
/// </summary>
public class SigningKeyRotationTests
{
    private const string KeyA = "rotation-key-A-0123456789-abcdefghijklmnopqrstuvwxyz";
    private const string KeyB = "rotation-key-B-0123456789-abcdefghijklmnopqrstuvwxyz";

    private static Dictionary<string, string?> Keys(string signing, string? previous) => new(ApiFixture.Settings)
    {
        [JwtSigningKey.ConfigurationKey] = signing,
        [JwtSigningKey.PreviousConfigurationKey] = previous,
    };

    [Fact]
    public async Task A_token_signed_with_the_old_key_passes_while_it_is_the_previous_key_and_fails_once_it_is_dropped()
    {
        var postgres = await PostgresServer.SharedAsync();
        var database = await postgres.CreateDatabaseAsync();
        Task<ApiServer> Start(string signing, string? previous) =>
            ApiServer.StartAsync(Keys(signing, previous), postgres: postgres, connectionString: database);

        TokenBody signedWithA;
        TokenBody secondSession;
        await using (var a = await Start(KeyA, null))
        {
            var account = await TestAccounts.NewAsync(a.CreateHttpClient);
            account.Client.Dispose();
            signedWithA = account.Tokens;
            using var anonymous = a.CreateHttpClient();
            secondSession = await TestAccounts.SignInAsync(anonymous, account.Email);
        }

        TokenBody signedWithB;
        await using (var rotating = await Start(KeyB, KeyA))
        {
            Assert.Equal(HttpStatusCode.OK, await MeAsync(rotating, signedWithA.Access));
            Assert.Equal(HttpStatusCode.OK, await MeAsync(rotating, secondSession.Access));
            // Refresh tokens are database rows, not signed: the one issued under A buys a pair signed with B.
            signedWithB = await RefreshAsync(rotating, signedWithA.Refresh);
            Assert.Equal(HttpStatusCode.OK, await MeAsync(rotating, signedWithB.Access));
        }

        await using var rotated = await Start(KeyB, null);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(rotated, secondSession.Access));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(rotated, signedWithB.Access));
        // A session whose access token has lapsed with A carries on through its refresh token.
        var renewed = await RefreshAsync(rotated, secondSession.Refresh);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(rotated, renewed.Access));
    }

    [Fact]
    public async Task During_the_rollout_of_step_two_old_and_new_replicas_accept_each_others_tokens()
    {
        var postgres = await PostgresServer.SharedAsync();
        var database = await postgres.CreateDatabaseAsync();
        // Step 1's replica (signs with A, accepts B) beside step 2's (signs with B, accepts A), on one database.
        await using var stepOne = await ApiServer.StartAsync(Keys(KeyA, KeyB), postgres: postgres, connectionString: database);
        await using var stepTwo = await ApiServer.StartAsync(Keys(KeyB, KeyA), postgres: postgres, connectionString: database);

        var fromStepOne = await TestAccounts.NewAsync(stepOne.CreateHttpClient);
        fromStepOne.Client.Dispose();
        using var anonymous = stepTwo.CreateHttpClient();
        var fromStepTwo = await TestAccounts.SignInAsync(anonymous, fromStepOne.Email);

        Assert.Equal(HttpStatusCode.OK, await MeAsync(stepTwo, fromStepOne.Tokens.Access));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(stepOne, fromStepTwo.Access));
        // Without step 1, a replica that knows only A refuses what step 2 signs: the window the first step closes.
        await using var unprepared = await ApiServer.StartAsync(Keys(KeyA, null), postgres: postgres, connectionString: database);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(unprepared, fromStepTwo.Access));
    }

    [Theory]
    [InlineData("too-short", "Jwt:PreviousSigningKey is too short")]
    [InlineData(KeyA, "Jwt:PreviousSigningKey is the same as Jwt:SigningKey")]
    public async Task A_previous_key_that_cannot_be_right_stops_start_up(string previous, string message)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ApiServer.StartAsync(Keys(KeyA, previous)));
        Assert.Contains(message, error.GetBaseException().Message);
    }

    private static async Task<HttpStatusCode> MeAsync(ApiServer api, string access)
    {
        using var client = api.CreateHttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        using var response = await client.GetAsync("/api/v1/auth/me");
        return response.StatusCode;
    }

    private static async Task<TokenBody> RefreshAsync(ApiServer api, string refresh)
    {
        using var client = api.CreateHttpClient();
        using var response = await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenBody>())!;
    }
}
