namespace TrainingPlatform.Tests.Infrastructure;

public class PostgresServerTests
{
    [Fact]
    public async Task A_fresh_database_accepts_queries()
    {
        var server = await PostgresServer.SharedAsync();
        await using var connection = new NpgsqlConnection(await server.CreateDatabaseAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select current_setting('server_version_num')::int", connection);
        Assert.True((int)(await command.ExecuteScalarAsync())! >= 150000);
    }
}
