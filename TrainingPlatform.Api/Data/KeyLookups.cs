using System.Data;

namespace TrainingPlatform.Api.Data;

public static class KeyLookups
{
    /// <summary>
    /// The row whose key is <paramref name="key"/> (the statement's <c>$1</c>), read by <paramref name="read"/>, or
    /// null: one command on the data source itself, no connection object, no Dapper. For the single-row reads every
    /// signed-in request makes (the account's profile, a course), where Dapper's named parameters cost a rewrite of the
    /// statement by Npgsql on every execution and Dapper's parameter object a reflection-built copy
    /// (ops/docs/performance.md, learner section, sixth pass); everything else stays on Dapper.
    /// </summary>
    public static async Task<T?> FindByKeyAsync<TKey, T>(this NpgsqlDataSource dataSource, string sql, TKey key,
        Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<TKey> { TypedValue = key });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? read(reader) : null;
    }
}
