using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace TrainingPlatform.AppHost;

/// <summary>
/// Healthy once the local server accepts connections and the application database exists.
/// A fresh data directory has no such database, so the first successful check creates it.
/// </summary>
internal sealed class LocalDatabaseReadiness(ReferenceExpression adminConnection, string databaseName) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = await adminConnection.GetValueAsync(cancellationToken);
            await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false;Timeout=3");
            await connection.OpenAsync(cancellationToken);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
            {
                Parameters = { new() { Value = databaseName } },
            };
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{databaseName}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is not accepting connections yet", e);
        }
    }
}
