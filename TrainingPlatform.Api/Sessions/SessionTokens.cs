namespace TrainingPlatform.Api.Sessions;

/// <summary>
/// A signed-in session as its client holds it: an access token plus a refresh token of one session. Every route that
/// starts, refreshes or ends a session goes through here, and the rows through <see cref="SessionStore"/>.
/// </summary>
public sealed class SessionTokens(NpgsqlDataSource dataSource, SessionStore store, AccessTokens accessTokens)
{
    /// <summary>
    /// Starts a session for <paramref name="user"/>, whose password was checked against <see cref="UserAccount.PasswordHash"/>
    /// (replaced by <paramref name="upgradedHash"/> when given), unless the password has been replaced since: then
    /// null. The user row stays locked until the session is written, so a change or reset that begins meanwhile waits
    /// for it and ends it with the rest.
    /// </summary>
    public async Task<TokenPair?> SignInAsync(UserAccount user, string? upgradedHash, CancellationToken cancellationToken) =>
        await dataSource.InTransactionAsync<(Guid, string)?>(async (connection, transaction) =>
        {
            if (!await UserStore.LockUnchangedPasswordAsync(connection, transaction, user, cancellationToken))
            {
                return null;
            }
            if (upgradedHash is not null)
            {
                await UserStore.UpgradePasswordHashAsync(connection, transaction, user, upgradedHash, cancellationToken);
            }
            return await store.StartAsync(connection, transaction, user.Id, cancellationToken);
        }, cancellationToken) is { } session ? Pair(user, session) : null;

    /// <summary>Rotates <paramref name="refresh"/>; null when it is unknown, expired, revoked or already spent.</summary>
    public async Task<TokenPair?> RefreshAsync(string refresh, CancellationToken cancellationToken) =>
        await store.RotateAsync(refresh, cancellationToken) is var (user, sessionId, next) ? Pair(user, (sessionId, next)) : null;

    /// <summary>Ends the session of <paramref name="refresh"/> when it is the user's, or every session of the user without one.</summary>
    public async Task EndAsync(long userId, string? refresh, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(refresh))
        {
            await store.RevokeAllAsync(userId, cancellationToken);
        }
        else
        {
            await store.RevokeSessionOfAsync(refresh, userId, cancellationToken);
        }
    }

    /// <summary>
    /// Replaces the password checked against <see cref="UserAccount.PasswordHash"/> (<see cref="PasswordReplacement"/>:
    /// every session ends, reset tokens are cancelled) and starts a new session, all in one transaction; null, and
    /// nothing changed, when the password has been replaced since the check (a reset meanwhile wins).
    /// </summary>
    public async Task<TokenPair?> ChangePasswordAsync(UserAccount user, string newPasswordHash, CancellationToken cancellationToken) =>
        await dataSource.InTransactionAsync<(Guid, string)?>(async (connection, transaction) =>
        {
            if (!await UserStore.LockUnchangedPasswordAsync(connection, transaction, user, cancellationToken))
            {
                return null;
            }
            await PasswordReplacement.ReplaceAsync(connection, transaction, user.Id, newPasswordHash, cancellationToken);
            return await store.StartAsync(connection, transaction, user.Id, cancellationToken);
        }, cancellationToken) is { } session ? Pair(user, session) : null;

    private TokenPair Pair(UserAccount user, (Guid SessionId, string Refresh) session) =>
        new(accessTokens.Issue(user, session.SessionId), session.Refresh, "Bearer", accessTokens.LifetimeSeconds);
}
