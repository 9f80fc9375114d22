namespace TrainingPlatform.Api.Accounts;

/// <summary>A signed-in session: an access token plus a refresh token of one session.</summary>
public sealed class Sessions(NpgsqlDataSource dataSource, RefreshTokens refreshTokens, AccessTokens accessTokens)
{
    public async Task<TokenPair> StartAsync(UserAccount user, CancellationToken cancellationToken) =>
        Pair(user, await dataSource.InTransactionAsync(
            (connection, transaction) => refreshTokens.StartSessionAsync(connection, transaction, user.Id, cancellationToken), cancellationToken));

    /// <summary>Rotates <paramref name="refresh"/>; null when it is unknown, expired, revoked or already spent.</summary>
    public async Task<TokenPair?> RefreshAsync(string refresh, CancellationToken cancellationToken) =>
        await refreshTokens.RotateAsync(refresh, cancellationToken) is var (user, sessionId, next) ? Pair(user, (sessionId, next)) : null;

    /// <summary>
    /// Sets a new password hash, signs out every session (their access tokens included), cancels outstanding reset
    /// tokens and starts a new session, all in one transaction.
    /// </summary>
    public async Task<TokenPair> ChangePasswordAsync(UserAccount user, string newPasswordHash, CancellationToken cancellationToken) =>
        Pair(user, await dataSource.InTransactionAsync(async (connection, transaction) =>
        {
            await UserStore.SetPasswordHashAsync(connection, transaction, user.Id, newPasswordHash, cancellationToken);
            await RefreshTokens.RevokeAllAsync(connection, transaction, user.Id, cancellationToken);
            await PasswordResets.CancelAllAsync(connection, transaction, user.Id, cancellationToken);
            return await refreshTokens.StartSessionAsync(connection, transaction, user.Id, cancellationToken);
        }, cancellationToken));

    private TokenPair Pair(UserAccount user, (Guid SessionId, string Refresh) session) =>
        new(accessTokens.Issue(user, session.SessionId), session.Refresh, "Bearer", accessTokens.LifetimeSeconds);
}
