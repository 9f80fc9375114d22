using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using TrainingPlatform.Api.Data;

namespace TrainingPlatform.Api.Accounts;

/// <summary>
/// Refresh tokens in families: signing in starts a family, each refresh spends the presented token and issues the
/// next one in the same family. Presenting a spent token means it was stolen or replayed, so the whole family is
/// revoked and everyone holding one of its tokens must sign in again.
/// </summary>
public sealed class RefreshTokens(NpgsqlDataSource dataSource, IOptions<JwtSettings> options, TimeProvider clock)
{
    private sealed record StoredToken(long Id, long UserId, Guid FamilyId, DateTime ExpiresAt, DateTime? UsedAt, DateTime? RevokedAt);

    /// <summary>Starts a new family for <paramref name="userId"/> and returns its first token.</summary>
    public Task<string> StartFamilyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long userId, CancellationToken cancellationToken) =>
        IssueAsync(connection, transaction, userId, Guid.NewGuid(), cancellationToken);

    /// <summary>Spends <paramref name="token"/> and returns its successor with the owner, or null when it is not usable.</summary>
    public async Task<(UserAccount User, string Refresh)?> RotateAsync(string token, CancellationToken cancellationToken)
    {
        var hash = SecretToken.Hash(token);
        return await dataSource.InTransactionAsync<(UserAccount, string)?>(async (connection, transaction) =>
        {
            var stored = await connection.QuerySingleOrDefaultAsync<StoredToken>(new CommandDefinition(
                """
                SELECT id AS Id, user_id AS UserId, family_id AS FamilyId, expires_at AS ExpiresAt, used_at AS UsedAt, revoked_at AS RevokedAt
                FROM refresh_tokens WHERE token_hash = @hash FOR UPDATE
                """, new { hash }, transaction, cancellationToken: cancellationToken));
            if (stored is null || stored.RevokedAt is not null || stored.ExpiresAt <= clock.GetUtcNow().UtcDateTime)
            {
                return null;
            }
            if (stored.UsedAt is not null)
            {
                await RevokeFamilyAsync(connection, transaction, stored.FamilyId, cancellationToken);
                return null;
            }
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE refresh_tokens SET used_at = now() WHERE id = @id", new { id = stored.Id }, transaction, cancellationToken: cancellationToken));
            var user = await connection.QuerySingleAsync<UserAccount>(new CommandDefinition(
                $"SELECT {UserStore.Columns} FROM users WHERE id = @id", new { id = stored.UserId }, transaction, cancellationToken: cancellationToken));
            return (user, await IssueAsync(connection, transaction, stored.UserId, stored.FamilyId, cancellationToken));
        }, cancellationToken);
    }

    /// <summary>Revokes the family of <paramref name="token"/> if it belongs to <paramref name="userId"/>; false otherwise.</summary>
    public async Task<bool> RevokeFamilyOfAsync(string token, long userId, CancellationToken cancellationToken)
    {
        var hash = SecretToken.Hash(token);
        return await dataSource.InTransactionAsync(async (connection, transaction) =>
        {
            var family = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
                "SELECT family_id FROM refresh_tokens WHERE token_hash = @hash AND user_id = @userId",
                new { hash, userId }, transaction, cancellationToken: cancellationToken));
            if (family is not { } familyId)
            {
                return false;
            }
            await RevokeFamilyAsync(connection, transaction, familyId, cancellationToken);
            return true;
        }, cancellationToken);
    }

    public Task<int> RevokeAllAsync(long userId, CancellationToken cancellationToken) =>
        dataSource.InTransactionAsync((connection, transaction) => RevokeAllAsync(connection, transaction, userId, cancellationToken), cancellationToken);

    public static Task<int> RevokeAllAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long userId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = @userId AND revoked_at IS NULL",
            new { userId }, transaction, cancellationToken: cancellationToken));

    private static Task<int> RevokeFamilyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid familyId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = @familyId AND revoked_at IS NULL",
            new { familyId }, transaction, cancellationToken: cancellationToken));

    private async Task<string> IssueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long userId, Guid familyId, CancellationToken cancellationToken)
    {
        var token = SecretToken.New();
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES (@userId, @familyId, @hash, @expiresAt)",
            new
            {
                userId,
                familyId,
                hash = SecretToken.Hash(token),
                expiresAt = clock.GetUtcNow().UtcDateTime.AddDays(options.Value.RefreshTokenDays),
            }, transaction, cancellationToken: cancellationToken));
        return token;
    }
}
