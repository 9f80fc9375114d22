namespace TrainingPlatform.Api.Accounts;

/// <summary>Registration and the signed-in user.</summary>
public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Accounts").WithSecurityAudit();

        auth.MapPost("/register", Register)
            .WithAccountRateLimits(RateLimitPolicies.Register)
            .ProducesProblem(StatusCodes.Status409Conflict);

        auth.MapGet("/me", Me).RequireSignIn().ProducesProblem(StatusCodes.Status404NotFound);

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
    private static async Task<Results<JsonOk<UserResponse>, ProblemHttpResult>> Me(
        ClaimsPrincipal principal, UserStore users, CancellationToken cancellationToken) =>
        await users.FindProfileAsync(principal.Id(), cancellationToken) is { } profile
            ? JsonOk.Of(profile)
            : ApiProblems.NotFound("Account");
}
