namespace TrainingPlatform.Tests.Reliability;

/// <summary>
/// A slow database on demand: a second session holds <c>ACCESS EXCLUSIVE</c> on a table in an open transaction, so
/// every API statement touching it waits (reads too) until <see cref="ReleaseAsync"/>. No test-only endpoint needed.
/// </summary>
public sealed class TableLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly string _database;
    private readonly string _connectionString;
    private NpgsqlTransaction? _transaction;

    private TableLock(string connectionString, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connectionString = connectionString;
        _connection = connection;
        _transaction = transaction;
        _database = connection.Database;
    }

    public static async Task<TableLock> TakeAsync(string connectionString, string table)
    {
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        var connection = new NpgsqlConnection(unpooled);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand($"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", connection, transaction);
        await command.ExecuteNonQueryAsync();
        return new TableLock(unpooled, connection, transaction);
    }

    /// <summary>Waits until <paramref name="count"/> sessions of the database are blocked on a lock (the API's stalled statements).</summary>
    public async Task WaitForWaitersAsync(int count)
    {
        await Wait.UntilAsync(async () => await WaitersAsync() >= count, TimeSpan.FromSeconds(30), $"{count} statements queued behind the lock");
    }

    public async Task<long> WaitersAsync()
    {
        // Another session: pg_stat_activity is a snapshot taken once per transaction, and the lock's transaction stays open.
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = @database AND wait_event_type = 'Lock'", connection);
        command.Parameters.AddWithValue("database", _database);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task ReleaseAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.RollbackAsync();
            await _transaction.DisposeAsync();
            _transaction = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        await _connection.DisposeAsync();
    }
}
