namespace TrainingPlatform.Api.Accounts;

/// <summary>Signing in (email and password for a token pair) and refreshing with rotation.</summary>
public static class TokensApi
{
    internal static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/v1/token").WithTags("Tokens").WithSecurityAudit()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        tokens.MapPost("", Issue).WithAccountRateLimits(AccountRateLimits.Token);
        tokens.MapPost("/refresh", Refresh).WithAccountRateLimits(AccountRateLimits.Refresh);

        return app;
    }

    [EndpointName("IssueToken")]
    [EndpointSummary("Sign in: exchange email and password for an access token and a refresh token")]
    private static async Task<Results<Ok<TokenPair>, ValidationProblem, ProblemHttpResult>> Issue(
        TokenRequest request, UserStore users, Credentials credentials, Sessions sessions, CancellationToken cancellationToken)
    {
        if (!request.TryValidate(out var valid, out var problem))
        {
            return problem;
        }
        var (email, password) = valid;
        var user = await users.FindByEmailAsync(email, cancellationToken);
        var check = credentials.Check(user, password);
        if (user is null || check == CredentialCheck.Wrong)
        {
            return ApiProblems.Unauthorized("Invalid credentials", "The email or password is incorrect.");
        }
        if (check == CredentialCheck.CorrectButRehash)
        {
            await users.UpdatePasswordHashAsync(user.Id, credentials.Hash(password), cancellationToken);
        }
        return TypedResults.Ok(await sessions.StartAsync(user, cancellationToken));
    }

    [EndpointName("RefreshToken")]
    [EndpointSummary("Spend a refresh token for a new token pair; reusing a spent one revokes its whole family")]
    private static async Task<Results<Ok<TokenPair>, ValidationProblem, ProblemHttpResult>> Refresh(
        RefreshRequest request, Sessions sessions, CancellationToken cancellationToken)
    {
        if (!request.TryValidate(out var refresh, out var problem))
        {
            return problem;
        }
        return await sessions.RefreshAsync(refresh, cancellationToken) is { } pair
            ? TypedResults.Ok(pair)
            : ApiProblems.Unauthorized("Invalid refresh token", "The refresh token is unknown, expired, revoked or already used. Sign in again.");
    }
}
