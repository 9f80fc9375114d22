using Dapper;
using Npgsql;
using TrainingPlatform.Api.Data;

namespace TrainingPlatform.Api.Accounts;

/// <summary>Single-use, expiring password reset tokens (lifetime <c>PasswordReset:TokenMinutes</c>, default 30).</summary>
public sealed class PasswordResets(NpgsqlDataSource dataSource, IConfiguration configuration, TimeProvider clock)
{
    private TimeSpan Lifetime => TimeSpan.FromMinutes(configuration.GetValue("PasswordReset:TokenMinutes", 30));

    /// <summary>Issues a token for <paramref name="userId"/>; earlier unused ones stop working.</summary>
    public async Task<(string Token, DateTime ExpiresAt)> IssueAsync(long userId, CancellationToken cancellationToken)
    {
        var token = SecretToken.New();
        var expiresAt = clock.GetUtcNow().UtcDateTime.Add(Lifetime);
        await dataSource.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE password_reset_tokens SET used_at = now() WHERE user_id = @userId AND used_at IS NULL",
                new { userId }, transaction, cancellationToken: cancellationToken));
            return await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO password_reset_tokens (user_id, token_hash, expires_at) VALUES (@userId, @hash, @expiresAt)",
                new { userId, hash = SecretToken.Hash(token), expiresAt }, transaction, cancellationToken: cancellationToken));
        }, cancellationToken);
        return (token, expiresAt);
    }

    /// <summary>
    /// Spends <paramref name="token"/> and sets the new password hash, signing out every session of the account.
    /// False when the token is unknown, spent or expired.
    /// </summary>
    public Task<bool> ConsumeAsync(string token, string newPasswordHash, CancellationToken cancellationToken)
    {
        var hash = SecretToken.Hash(token);
        var now = clock.GetUtcNow().UtcDateTime;
        return dataSource.InTransactionAsync(async (connection, transaction) =>
        {
            var userId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                """
                UPDATE password_reset_tokens SET used_at = now()
                WHERE token_hash = @hash AND used_at IS NULL AND expires_at > @now
                RETURNING user_id
                """, new { hash, now }, transaction, cancellationToken: cancellationToken));
            if (userId is not { } id)
            {
                return false;
            }
            await UserStore.SetPasswordHashAsync(connection, transaction, id, newPasswordHash, cancellationToken);
            await RefreshTokens.RevokeAllAsync(connection, transaction, id, cancellationToken);
            return true;
        }, cancellationToken);
    }
}
