namespace TrainingPlatform.Api.PasswordReset;

/// <summary>
/// Single-use, expiring password reset tokens (lifetime <c>PasswordReset:TokenMinutes</c>, default 30). A new request
/// does not cancel earlier unexpired tokens, so someone who keeps requesting resets for a victim's email cannot keep
/// the victim's link dead; only the newest <see cref="MaxLive"/> stay live. Using one, or changing the password,
/// cancels the rest.
/// </summary>
public sealed class ResetTokens(NpgsqlDataSource dataSource, IConfiguration configuration, TimeProvider clock)
{
    public const int MaxLive = 3;

    private TimeSpan Lifetime => TimeSpan.FromMinutes(configuration.GetValue("PasswordReset:TokenMinutes", 30));

    /// <summary>Issues a token for <paramref name="userId"/>; of the unused ones, the newest <see cref="MaxLive"/> keep working.</summary>
    public async Task<(string Token, DateTime ExpiresAt)> IssueAsync(long userId, CancellationToken cancellationToken)
    {
        var token = SecretToken.New();
        var expiresAt = clock.GetUtcNow().UtcDateTime.Add(Lifetime);
        await dataSource.InTransactionAsync(async (connection, transaction) =>
        {
            // The user row lock makes concurrent requests take turns, so the cap holds exactly.
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT 1 FROM users WHERE id = @userId FOR NO KEY UPDATE", new { userId }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO password_reset_tokens (user_id, token_hash, expires_at) VALUES (@userId, @hash, @expiresAt)",
                new { userId, hash = SecretToken.Hash(token), expiresAt }, transaction, cancellationToken: cancellationToken));
            return await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE password_reset_tokens SET used_at = now()
                WHERE user_id = @userId AND used_at IS NULL AND id NOT IN (
                    SELECT id FROM password_reset_tokens WHERE user_id = @userId AND used_at IS NULL ORDER BY id DESC LIMIT @MaxLive)
                """, new { userId, MaxLive }, transaction, cancellationToken: cancellationToken));
        }, cancellationToken);
        return (token, expiresAt);
    }

    /// <summary>
    /// Spends <paramref name="token"/> and replaces the password (<see cref="PasswordReplacement"/>: every session of the
    /// account ends, its other reset tokens are cancelled). False when the token is unknown, spent or expired.
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
            await PasswordReplacement.ReplaceAsync(connection, transaction, id, newPasswordHash, cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>Cancels every unused reset token of <paramref name="userId"/>: a new password makes them moot.</summary>
    public static Task<int> CancelAllAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long userId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE password_reset_tokens SET used_at = now() WHERE user_id = @userId AND used_at IS NULL",
            new { userId }, transaction, cancellationToken: cancellationToken));
}
