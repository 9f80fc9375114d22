using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace TrainingPlatform.Api.Sessions;

/// <summary>Signing in (email and password for a token pair), refreshing with rotation, signing out, changing the password.</summary>
public static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/auth").WithTags("Accounts").WithSecurityAudit()
            .MapPost("/logout", Logout).RequireSignIn();

        var tokens = app.MapGroup("/api/v1/token").WithTags("Tokens").WithSecurityAudit()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        tokens.MapPost("", Issue).WithAccountRateLimits(RateLimitPolicies.Token).WithPasswordGuessBrake();
        tokens.MapPost("/refresh", Refresh).WithAccountRateLimits(RateLimitPolicies.Refresh);

        return app;
    }

    /// <summary>The password change, in the <c>/api/v1/password</c> group it shares with the password reset (see <c>MapApplicationApis</c>).</summary>
    public static RouteGroupBuilder MapPasswordChangeApi(this RouteGroupBuilder passwords)
    {
        passwords.MapPost("/change", ChangePassword)
            .RequireSignIn()
            .WithAccountRateLimits(RateLimitPolicies.Password)
            .WithPasswordGuessBrake()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return passwords;
    }

    [EndpointName("IssueToken")]
    [EndpointSummary("Sign in: exchange email and password for an access token and a refresh token")]
    private static async Task<Results<JsonOk<TokenPair>, ValidationProblem, ProblemHttpResult>> Issue(
        TokenRequest request, UserStore users, Credentials credentials, SessionTokens sessions, PasswordGuess guess,
        CancellationToken cancellationToken)
    {
        if (!request.TryValidate(out var valid, out var problem))
        {
            return problem;
        }
        var (email, password) = valid;
        var user = await users.FindByEmailAsync(email, cancellationToken);
        var check = credentials.Check(user, password);
        // A password replaced between the check and the session (a change or reset meanwhile) is as wrong as any other.
        if (user is null || check == CredentialCheck.Wrong
            || await sessions.SignInAsync(user, check == CredentialCheck.CorrectButRehash ? credentials.Hash(password) : null, cancellationToken)
                is not { } pair)
        {
            guess.Wrong();
            return ApiProblems.Unauthorized("Invalid credentials", "The email or password is incorrect.");
        }
        return JsonOk.Of(pair);
    }

    [EndpointName("RefreshToken")]
    [EndpointSummary("Spend a refresh token for a new token pair; reusing a spent one revokes its whole family")]
    private static async Task<Results<JsonOk<TokenPair>, ValidationProblem, ProblemHttpResult>> Refresh(
        RefreshRequest request, SessionTokens sessions, CancellationToken cancellationToken)
    {
        if (!request.TryValidate(out var refresh, out var problem))
        {
            return problem;
        }
        return await sessions.RefreshAsync(refresh, cancellationToken) is { } pair
            ? JsonOk.Of(pair)
            : ApiProblems.Unauthorized("Invalid refresh token", "The refresh token is unknown, expired, revoked or already used. Sign in again.");
    }

    [EndpointName("Logout")]
    [EndpointSummary("Sign out the session of the given refresh token (or every session when none is given); their access tokens stop working within seconds")]
    private static async Task<NoContent> Logout(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] LogoutRequest? request,
        ClaimsPrincipal principal, SessionTokens sessions, CancellationToken cancellationToken)
    {
        await sessions.EndAsync(principal.Id(), request?.Refresh, cancellationToken);
        return TypedResults.NoContent();
    }

    [EndpointName("ChangePassword")]
    [EndpointSummary("Change the signed-in user's password; signs out every other session and returns a new token pair")]
    private static async Task<Results<JsonOk<TokenPair>, ValidationProblem, ProblemHttpResult>> ChangePassword(
        PasswordChangeRequest request, ClaimsPrincipal principal, UserStore users, Credentials credentials, SessionTokens sessions,
        PasswordGuess guess, CancellationToken cancellationToken)
    {
        if (!request.TryValidate(out var valid, out var problem))
        {
            return problem;
        }
        if (await users.FindByIdAsync(principal.Id(), cancellationToken) is not { } user)
        {
            return ApiProblems.NotFound("Account");
        }
        if (credentials.Check(user, valid.CurrentPassword) == CredentialCheck.Wrong
            || await sessions.ChangePasswordAsync(user, credentials.Hash(valid.NewPassword), cancellationToken) is not { } pair)
        {
            guess.Wrong();
            return FieldErrors.Problem("currentPassword", "The current password is incorrect.");
        }
        return JsonOk.Of(pair);
    }
}
