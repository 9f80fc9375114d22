using Microsoft.Extensions.Options;

namespace TrainingPlatform.Api.Sessions;

/// <summary>
/// The <c>sessions</c> table and its refresh tokens: every write to them and the revocation read. Signing in starts
/// a session (a row in <c>sessions</c>, whose id is the access tokens' <c>sid</c>) with its first refresh token; each
/// refresh spends the presented token and issues the next one in the same session. Presenting a spent token means it was stolen or replayed, so the session is revoked and
/// everyone holding one of its tokens must sign in again.
/// </summary>
/// <remarks>
/// Every rotation and every revocation locks the session row first, so they run one after the other: a revocation
/// that begins while a rotation is in flight waits for it and then revokes the session the new token belongs to,
/// and a rotation that begins after a revocation sees it.
/// </remarks>
public sealed class SessionStore(NpgsqlDataSource dataSource, [FromKeyedServices(DatabaseServices.Reads)] NpgsqlDataSource reads, IOptions<JwtSettings> options, TimeProvider clock)
{
    private sealed record StoredToken(long Id, DateTime ExpiresAt, DateTime? UsedAt);

    private sealed record LockedSession(long UserId, DateTime? RevokedAt);

    /// <summary>Starts a new session for <paramref name="userId"/> and returns its id and first refresh token.</summary>
    public async Task<(Guid SessionId, string Refresh)> StartAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long userId,
        CancellationToken cancellationToken)
    {
        var sessionId = Guid.NewGuid();
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO sessions (id, user_id) VALUES (@sessionId, @userId)", new { sessionId, userId }, transaction,
            cancellationToken: cancellationToken));
        return (sessionId, await IssueAsync(connection, transaction, userId, sessionId, cancellationToken));
    }

    /// <summary>Spends <paramref name="token"/> and returns its successor with the owner and session, or null when it is not usable.</summary>
    public async Task<(UserAccount User, Guid SessionId, string Refresh)?> RotateAsync(string token, CancellationToken cancellationToken)
    {
        var hash = SecretToken.Hash(token);
        return await dataSource.InTransactionAsync<(UserAccount, Guid, string)?>(async (connection, transaction) =>
        {
            var sessionId = await SessionOfAsync(connection, transaction, hash, userId: null, cancellationToken);
            if (sessionId is not { } id || await LockAsync(connection, transaction, id, cancellationToken) is not { RevokedAt: null } session)
            {
                return null;
            }
            // Read under the session lock: every change to this session's tokens is committed or has not begun.
            var stored = await connection.QuerySingleAsync<StoredToken>(new CommandDefinition(
                "SELECT id AS Id, expires_at AS ExpiresAt, used_at AS UsedAt FROM refresh_tokens WHERE token_hash = @hash",
                new { hash }, transaction, cancellationToken: cancellationToken));
            if (stored.UsedAt is not null)
            {
                await RevokeSessionAsync(connection, transaction, id, cancellationToken);
                return null;
            }
            if (stored.ExpiresAt <= clock.GetUtcNow().UtcDateTime)
            {
                return null;
            }
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE refresh_tokens SET used_at = now() WHERE id = @id", new { id = stored.Id }, transaction, cancellationToken: cancellationToken));
            var user = await connection.QuerySingleAsync<UserAccount>(new CommandDefinition(
                $"SELECT {UserStore.Columns} FROM users WHERE id = @id", new { id = session.UserId }, transaction, cancellationToken: cancellationToken));
            return (user, id, await IssueAsync(connection, transaction, session.UserId, id, cancellationToken));
        }, cancellationToken);
    }

    /// <summary>Revokes the session of <paramref name="token"/> if it belongs to <paramref name="userId"/>; false otherwise.</summary>
    public async Task<bool> RevokeSessionOfAsync(string token, long userId, CancellationToken cancellationToken)
    {
        var hash = SecretToken.Hash(token);
        return await dataSource.InTransactionAsync(async (connection, transaction) =>
        {
            if (await SessionOfAsync(connection, transaction, hash, userId, cancellationToken) is not { } sessionId)
            {
                return false;
            }
            await RevokeSessionAsync(connection, transaction, sessionId, cancellationToken);
            return true;
        }, cancellationToken);
    }

    public Task<int> RevokeAllAsync(long userId, CancellationToken cancellationToken) =>
        dataSource.InTransactionAsync((connection, transaction) => RevokeAllAsync(connection, transaction, userId, cancellationToken), cancellationToken);

    /// <summary>
    /// Revokes every session of <paramref name="userId"/>. The update waits for the row lock of any rotation in
    /// flight, so the token that rotation issues dies with its session.
    /// </summary>
    public static Task<int> RevokeAllAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long userId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE sessions SET revoked_at = now() WHERE user_id = @userId AND revoked_at IS NULL",
            new { userId }, transaction, cancellationToken: cancellationToken));

    /// <summary>True when the session is revoked or gone (its user deleted): the read behind <see cref="SessionRevocations"/>.</summary>
    public async Task<bool> IsRevokedAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await reads.OpenConnectionAsync(cancellationToken);
        return !await connection.QuerySingleOrDefaultAsync<bool>(new CommandDefinition(
            "SELECT revoked_at IS NULL FROM sessions WHERE id = @sessionId", new { sessionId }, cancellationToken: cancellationToken));
    }

    private static Task<Guid?> SessionOfAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, byte[] hash, long? userId,
        CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            "SELECT family_id FROM refresh_tokens WHERE token_hash = @hash AND (@userId::bigint IS NULL OR user_id = @userId)",
            new { hash, userId }, transaction, cancellationToken: cancellationToken));

    private static Task<LockedSession?> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid sessionId,
        CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<LockedSession?>(new CommandDefinition(
            "SELECT user_id AS UserId, revoked_at AS RevokedAt FROM sessions WHERE id = @sessionId FOR UPDATE",
            new { sessionId }, transaction, cancellationToken: cancellationToken));

    private static Task<int> RevokeSessionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid sessionId,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE sessions SET revoked_at = now() WHERE id = @sessionId AND revoked_at IS NULL",
            new { sessionId }, transaction, cancellationToken: cancellationToken));

    private async Task<string> IssueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long userId, Guid sessionId,
        CancellationToken cancellationToken)
    {
        var token = SecretToken.New();
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES (@userId, @sessionId, @hash, @expiresAt)",
            new
            {
                userId,
                sessionId,
                hash = SecretToken.Hash(token),
                expiresAt = clock.GetUtcNow().UtcDateTime.AddDays(options.Value.RefreshTokenDays),
            }, transaction, cancellationToken: cancellationToken));
        return token;
    }
}
