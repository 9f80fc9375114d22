using Npgsql;

namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>The contract tables from contract-schema.sql, a test-only mirror of the API's migrations.</summary>
public static class ContractSchema
{
    public static async Task ApplyAsync(string connectionString)
    {
        var sql = await File.ReadAllTextAsync(
            Path.Combine(Command.RepositoryRoot, "TrainingPlatform.Tests", "Ops", "Scripts", "contract-schema.sql"));
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
