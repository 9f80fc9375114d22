namespace TrainingPlatform.Api.Accounts;

public sealed class UserStore(NpgsqlDataSource dataSource, [FromKeyedServices(DatabaseServices.Reads)] NpgsqlDataSource reads)
{
    internal const string Columns =
        "id AS Id, email AS Email, display_name AS DisplayName, role AS Role, password_hash AS PasswordHash, created_at AS CreatedAt, "
        + "password_changed_at AS PasswordChangedAt";

    /// <summary>Creates the account, or returns null when the email is taken.</summary>
    public async Task<UserAccount?> CreateAsync(string email, string displayName, string role, string passwordHash, CancellationToken cancellationToken)
    {
        try
        {
            return await dataSource.InTransactionAsync((connection, transaction) => connection.QuerySingleAsync<UserAccount>(
                new CommandDefinition(
                    $"INSERT INTO users (email, display_name, role, password_hash) VALUES (@email, @displayName, @role, @passwordHash) RETURNING {Columns}",
                    new { email, displayName, role, passwordHash }, transaction, cancellationToken: cancellationToken)),
                cancellationToken);
        }
        catch (PostgresException e) when (e.IsUniqueViolation())
        {
            return null;
        }
    }

    public async Task<UserAccount?> FindByEmailAsync(string email, CancellationToken cancellationToken)
    {
        await using var connection = await reads.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserAccount>(
            new CommandDefinition($"SELECT {Columns} FROM users WHERE email = @email", new { email }, cancellationToken: cancellationToken));
    }

    public async Task<UserAccount?> FindByIdAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await reads.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserAccount>(
            new CommandDefinition($"SELECT {Columns} FROM users WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The account as its owner sees it (<c>/auth/me</c>), read by key without Dapper (<see cref="KeyLookups"/>): only the
    /// columns shown, so the password hash stays in the database.
    /// </summary>
    public Task<UserResponse?> FindProfileAsync(long id, CancellationToken cancellationToken) =>
        reads.FindByKeyAsync("SELECT id, email, display_name, role, created_at FROM users WHERE id = $1", id,
            static row => new UserResponse(row.GetInt64(0), row.GetString(1), row.GetString(2), row.GetString(3), row.GetDateTime(4)),
            cancellationToken);

    /// <summary>
    /// Locks the user's row until the transaction ends and tells whether its password is still the one
    /// <paramref name="user"/> was read with (same <c>password_changed_at</c>): false when a change or reset replaced
    /// it since. A replacement that begins later waits for this transaction. An upgraded hash of the same password
    /// (<see cref="UpgradePasswordHashAsync"/>) is not a replacement, so parallel sign-ins that both upgrade it succeed.
    /// </summary>
    internal static async Task<bool> LockUnchangedPasswordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, UserAccount user,
        CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<DateTime?>(new CommandDefinition(
            "SELECT password_changed_at FROM users WHERE id = @Id FOR NO KEY UPDATE", new { user.Id }, transaction,
            cancellationToken: cancellationToken)) == user.PasswordChangedAt;

    /// <summary>
    /// Stores a stronger hash of the same password (not a password change, so <c>password_changed_at</c> stays), only
    /// over the hash it was checked against: never an old password's hash over a new one.
    /// </summary>
    internal static Task<int> UpgradePasswordHashAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, UserAccount user,
        string upgradedHash, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET password_hash = @upgradedHash WHERE id = @Id AND password_hash = @PasswordHash",
            new { user.Id, user.PasswordHash, upgradedHash }, transaction, cancellationToken: cancellationToken));

    internal static Task<int> SetPasswordHashAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id,
        string passwordHash, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET password_hash = @passwordHash, password_changed_at = now() WHERE id = @id",
            new { id, passwordHash }, transaction, cancellationToken: cancellationToken));

    /// <summary>Normalises an email for storage and lookup: trimmed, lower case.</summary>
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();
}
