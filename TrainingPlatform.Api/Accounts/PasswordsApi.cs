using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using TrainingPlatform.Api.Http;

namespace TrainingPlatform.Api.Accounts;

/// <summary>Changing a password, and resetting a forgotten one through a single-use token.</summary>
public static class PasswordsApi
{
    internal static IEndpointRouteBuilder MapPasswordsApi(this IEndpointRouteBuilder app)
    {
        var passwords = app.MapGroup("/api/v1/password").WithTags("Passwords").WithSecurityAudit();

        passwords.MapPost("/change", Change)
            .WithName("ChangePassword")
            .WithSummary("Change the signed-in user's password; signs out every other session and returns a new token pair")
            .RequireAuthorization()
            .WithAccountRateLimits(AccountRateLimits.Password)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

        passwords.MapPost("/reset", Reset)
            .WithName("RequestPasswordReset")
            .WithSummary("Send a password reset token to the account's owner; always 202, whether or not the account exists")
            .WithAccountRateLimits(AccountRateLimits.PasswordReset);

        passwords.MapPost("/reset/confirm", Confirm)
            .WithName("ConfirmPasswordReset")
            .WithSummary("Set a new password with a reset token; signs out every session")
            .WithAccountRateLimits(AccountRateLimits.Password);

        return app;
    }

    private static async Task<Results<Ok<TokenPair>, ValidationProblem, ProblemHttpResult>> Change(
        PasswordChangeRequest request, ClaimsPrincipal principal, UserStore users, Credentials credentials, Sessions sessions,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var current = errors.Required("currentPassword", request.CurrentPassword, PasswordPolicy.MaximumLength);
        var next = PasswordPolicy.Check(errors, "newPassword", request.NewPassword);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        if (await users.FindByIdAsync(principal.Id(), cancellationToken) is not { } user)
        {
            return ApiProblems.NotFound("Account");
        }
        if (credentials.Check(user, current) == CredentialCheck.Wrong)
        {
            errors.Add("currentPassword", "The current password is incorrect.");
            return errors.ToProblem();
        }
        return TypedResults.Ok(await sessions.ChangePasswordAsync(user, credentials.Hash(next), cancellationToken));
    }

    /// <summary>Only queues the address: the lookup, the token and the email happen in <see cref="PasswordResetDelivery"/>.</summary>
    private static Results<Accepted, ValidationProblem> Reset(PasswordResetRequest request, PasswordResetQueue queue)
    {
        var errors = new FieldErrors();
        var email = errors.Email("email", request.Email);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        queue.Enqueue(email);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<Results<NoContent, ValidationProblem>> Confirm(
        PasswordResetConfirmRequest request, PasswordResets resets, Credentials credentials, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var token = errors.Required("token", request.Token, 200);
        var password = PasswordPolicy.Check(errors, "newPassword", request.NewPassword);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        if (!await resets.ConsumeAsync(token, credentials.Hash(password), cancellationToken))
        {
            errors.Add("token", "The reset token is invalid, expired or already used.");
            return errors.ToProblem();
        }
        return TypedResults.NoContent();
    }
}
