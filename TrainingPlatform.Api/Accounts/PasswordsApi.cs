namespace TrainingPlatform.Api.Accounts;

/// <summary>Changing a password, and resetting a forgotten one through a single-use token.</summary>
public static class PasswordsApi
{
    internal static IEndpointRouteBuilder MapPasswordsApi(this IEndpointRouteBuilder app)
    {
        var passwords = app.MapGroup("/api/v1/password").WithTags("Passwords").WithSecurityAudit();

        passwords.MapPost("/change", Change)
            .RequireSignIn()
            .WithAccountRateLimits(AccountRateLimits.Password)
            .ProducesProblem(StatusCodes.Status404NotFound);

        passwords.MapPost("/reset", Reset).WithAccountRateLimits(AccountRateLimits.PasswordReset);
        passwords.MapPost("/reset/confirm", Confirm).WithAccountRateLimits(AccountRateLimits.Password);

        return app;
    }

    [EndpointName("ChangePassword")]
    [EndpointSummary("Change the signed-in user's password; signs out every other session and returns a new token pair")]
    private static async Task<Results<Ok<TokenPair>, ValidationProblem, ProblemHttpResult>> Change(
        PasswordChangeRequest request, ClaimsPrincipal principal, UserStore users, Credentials credentials, Sessions sessions,
        CancellationToken cancellationToken)
    {
        if (!request.TryValidate(out var valid, out var problem))
        {
            return problem;
        }
        if (await users.FindByIdAsync(principal.Id(), cancellationToken) is not { } user)
        {
            return ApiProblems.NotFound("Account");
        }
        if (credentials.Check(user, valid.CurrentPassword) == CredentialCheck.Wrong)
        {
            return FieldErrors.Problem("currentPassword", "The current password is incorrect.");
        }
        return TypedResults.Ok(await sessions.ChangePasswordAsync(user, credentials.Hash(valid.NewPassword), cancellationToken));
    }

    /// <summary>Only queues the address: the lookup, the token and the email happen in <see cref="PasswordResetDelivery"/>.</summary>
    [EndpointName("RequestPasswordReset")]
    [EndpointSummary("Send a password reset token to the account's owner; always 202, whether or not the account exists")]
    private static Results<Accepted, ValidationProblem> Reset(PasswordResetRequest request, PasswordResetQueue queue)
    {
        if (!request.TryValidate(out var email, out var problem))
        {
            return problem;
        }
        queue.Enqueue(email);
        return TypedResults.Accepted((string?)null);
    }

    [EndpointName("ConfirmPasswordReset")]
    [EndpointSummary("Set a new password with a reset token; signs out every session")]
    private static async Task<Results<NoContent, ValidationProblem>> Confirm(
        PasswordResetConfirmRequest request, PasswordResets resets, Credentials credentials, CancellationToken cancellationToken)
    {
        if (!request.TryValidate(out var valid, out var problem))
        {
            return problem;
        }
        if (!await resets.ConsumeAsync(valid.Token, credentials.Hash(valid.NewPassword), cancellationToken))
        {
            return FieldErrors.Problem("token", "The reset token is invalid, expired or already used.");
        }
        return TypedResults.NoContent();
    }
}
