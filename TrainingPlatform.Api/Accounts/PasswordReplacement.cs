using TrainingPlatform.Api.PasswordReset;
using TrainingPlatform.Api.Sessions;

namespace TrainingPlatform.Api.Accounts;

/// <summary>
/// Replacing a password, the one way a changed password takes effect (a password change and a confirmed reset both
/// use it): the new hash is set, every session ends (their access tokens included) and the account's other reset
/// tokens are cancelled, inside the caller's transaction.
/// </summary>
public static class PasswordReplacement
{
    public static async Task ReplaceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long userId, string newPasswordHash,
        CancellationToken cancellationToken)
    {
        await UserStore.SetPasswordHashAsync(connection, transaction, userId, newPasswordHash, cancellationToken);
        await SessionStore.RevokeAllAsync(connection, transaction, userId, cancellationToken);
        await ResetTokens.CancelAllAsync(connection, transaction, userId, cancellationToken);
    }
}
