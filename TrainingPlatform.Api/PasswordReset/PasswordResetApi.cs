namespace TrainingPlatform.Api.PasswordReset;

/// <summary>Resetting a forgotten password through a single-use token sent by email.</summary>
public static class PasswordResetApi
{
    /// <summary>The reset routes, in the <c>/api/v1/password</c> group they share with the password change (see <c>MapApplicationApis</c>).</summary>
    public static RouteGroupBuilder MapPasswordResetApi(this RouteGroupBuilder passwords)
    {
        passwords.MapPost("/reset", Reset).WithAccountRateLimits(RateLimitPolicies.PasswordReset);
        passwords.MapPost("/reset/confirm", Confirm).WithAccountRateLimits(RateLimitPolicies.Password);

        return passwords;
    }

    /// <summary>Only queues the address: the lookup, the token and the email happen in <see cref="DeliveryWorker"/>.</summary>
    [EndpointName("RequestPasswordReset")]
    [EndpointSummary("Send a password reset token to the account's owner; always 202, whether or not the account exists")]
    private static Results<Accepted, ValidationProblem> Reset(PasswordResetRequest request, DeliveryQueue queue)
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
        PasswordResetConfirmRequest request, ResetTokens resets, Credentials credentials, CancellationToken cancellationToken)
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
