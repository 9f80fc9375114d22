using Microsoft.AspNetCore.Mvc;

namespace TrainingPlatform.Api.Accounts;

/// <summary>Registration, the signed-in user, sign-out; tokens and passwords are mapped from here too.</summary>
public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Accounts").WithSecurityAudit();

        auth.MapPost("/register", Register)
            .WithAccountRateLimits(AccountRateLimits.Register)
            .ProducesProblem(StatusCodes.Status409Conflict);

        auth.MapGet("/me", Me).RequireSignIn().ProducesProblem(StatusCodes.Status404NotFound);
        auth.MapPost("/logout", Logout).RequireSignIn();

        app.MapTokensApi();
        app.MapPasswordsApi();
        return app;
    }

    [EndpointName("Register")]
    [EndpointSummary("Create a learner or instructor account")]
    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterRequest request, UserStore users, Credentials credentials, CancellationToken cancellationToken)
    {
        if (!request.TryValidate(out var valid, out var problem))
        {
            return problem;
        }
        var user = await users.CreateAsync(valid.Email, valid.DisplayName, valid.Role, credentials.Hash(valid.Password), cancellationToken);
        return user is null
            ? ApiProblems.Conflict("An account with this email already exists.")
            : TypedResults.Created("/api/v1/auth/me", UserResponse.From(user));
    }

    [EndpointName("Me")]
    [EndpointSummary("The signed-in user")]
    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> Me(
        ClaimsPrincipal principal, UserStore users, CancellationToken cancellationToken) =>
        await users.FindByIdAsync(principal.Id(), cancellationToken) is { } user
            ? TypedResults.Ok(UserResponse.From(user))
            : ApiProblems.NotFound("Account");

    [EndpointName("Logout")]
    [EndpointSummary("Sign out the session of the given refresh token (or every session when none is given); their access tokens stop working within seconds")]
    private static async Task<NoContent> Logout(
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] LogoutRequest? request,
        ClaimsPrincipal principal, RefreshTokens refreshTokens, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request?.Refresh))
        {
            await refreshTokens.RevokeAllAsync(principal.Id(), cancellationToken);
        }
        else
        {
            await refreshTokens.RevokeSessionOfAsync(request.Refresh, principal.Id(), cancellationToken);
        }
        return TypedResults.NoContent();
    }
}
