namespace TrainingPlatform.Tests.Api;

/// <summary>
/// An owner's quota lock (the two-key advisory lock the API takes while it checks a quota), held by a test so that
/// parallel writes are seen waiting for it together: proof that they really overlap.
/// </summary>
public static class OwnerQuotaLock
{
    public static Task HoldAsync(NpgsqlConnection connection, int space, long ownerId) => CallAsync(connection, "pg_advisory_lock", space, ownerId);

    public static Task ReleaseAsync(NpgsqlConnection connection, int space, long ownerId) => CallAsync(connection, "pg_advisory_unlock", space, ownerId);

    /// <summary>How many sessions wait for the owner's lock in <paramref name="space"/>.</summary>
    public static async Task<long> WaitingAsync(NpgsqlConnection connection, int space, long ownerId)
    {
        // The two-key form shows its keys as classid and objid.
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND objsubid = 2 AND classid::bigint = @space
              AND objid::bigint = (hashint8(@owner)::bigint & 4294967295)
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, connection);
        command.Parameters.AddWithValue("space", (long)space);
        command.Parameters.AddWithValue("owner", ownerId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task CallAsync(NpgsqlConnection connection, string function, int space, long ownerId)
    {
        await using var command = new NpgsqlCommand($"SELECT {function}(@space, hashint8(@owner))", connection);
        command.Parameters.AddWithValue("space", space);
        command.Parameters.AddWithValue("owner", ownerId);
        await command.ExecuteScalarAsync();
    }
}
