namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// What a database holds, read straight from Postgres: row counts, and a checksum of every table's content so a
/// test can prove that nothing at all changed. The tables are discovered from the catalog, never listed by hand.
/// </summary>
public static class Rows
{
    /// <summary>The number of rows of <paramref name="table"/>, optionally only those matching the SQL condition <paramref name="where"/>.</summary>
    public static async Task<long> CountAsync(string connectionString, string table, string? where = null)
    {
        await using var connection = await OpenAsync(connectionString);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}" + (where is null ? "" : $" WHERE {where}"), connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Every table of the public schema, by name, with its row count and an md5 of its rows in text form in a fixed
    /// order: equal snapshots mean equal content, not merely as many rows.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, TableContent>> ChecksumsAsync(string connectionString)
    {
        await using var connection = await OpenAsync(connectionString);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var checksums = new SortedDictionary<string, TableContent>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var sum = new NpgsqlCommand(
                $"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM public.\"{table}\" t",
                connection);
            await using var reader = await sum.ExecuteReaderAsync();
            await reader.ReadAsync();
            checksums[table] = new TableContent(reader.GetInt64(0), reader.GetString(1));
        }
        return checksums;
    }

    /// <summary>
    /// The titles of all courses in ordinal order (the tests' own lists are sorted so): what the write-heavy reliability
    /// tests compare with the writes answered 2xx.
    /// </summary>
    public static async Task<List<string>> CourseTitlesAsync(string connectionString)
    {
        await using var connection = await OpenAsync(connectionString);
        await using var command = new NpgsqlCommand("SELECT title FROM courses", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var titles = new List<string>();
        while (await reader.ReadAsync())
        {
            titles.Add(reader.GetString(0));
        }
        return titles.Order().ToList();
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }
}

/// <summary>A table's row count and the md5 of its rows in text form, in a fixed order.</summary>
public sealed record TableContent(long Rows, string Checksum);
