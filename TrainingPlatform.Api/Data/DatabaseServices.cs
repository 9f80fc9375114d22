using System.Data.Common;

namespace TrainingPlatform.Api.Data;

public static class DatabaseServices
{
    public const string ConnectionName = "training";

    /// <summary>
    /// This replica's share of the server's connections. The AppHost sets it from the replica count and the
    /// server's <c>max_connections</c>, so N replicas plus backups, migrations and an operator always fit.
    /// </summary>
    public const string MaxPoolSizeKey = "Database:MaxPoolSize";

    // Fail fast when the database is down or the pool is exhausted: a request should get its 503 within
    // about five seconds rather than hang. "Timeout" also bounds the wait for a pooled connection.
    private const int ConnectTimeoutSeconds = 3;
    private const int CommandTimeoutSeconds = 5;

    /// <summary>
    /// Npgsql's default pool (100) lets every concurrent request open a backend of its own; on a small machine they
    /// compete for the same cores and the tail grows (ops/docs/performance.md). A few connections per core serve as
    /// many requests per second with a far shorter queue. A connection string's own Maximum Pool Size wins over this
    /// default, and <c>Database:MaxPoolSize</c> over both.
    /// </summary>
    public static readonly int DefaultMaxPoolSize = Math.Max(8, 4 * Environment.ProcessorCount);

    /// <summary>The Npgsql data source (with its health check and telemetry), outage handling and pool gauges.</summary>
    public static IHostApplicationBuilder AddTrainingDatabase(this IHostApplicationBuilder builder)
    {
        // A pool name of this instance's own, so the pool gauges count its connections and no other data source's.
        var pool = new DatabasePool($"{ConnectionName}-{Guid.NewGuid():N}");
        builder.Services.AddSingleton(pool);
        builder.AddNpgsqlDataSource(ConnectionName,
            settings => settings.ConnectionString = WithPoolBudget(WithServiceDefaults(settings.ConnectionString),
                builder.Configuration.GetValue<int?>(MaxPoolSizeKey)),
            dataSource => dataSource.Name = pool.Name);
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        builder.Services.AddSingleton<SchemaMigrator>();
        builder.Services.AddHostedService<DatabasePoolGauges>();
        return builder;
    }

    /// <summary>Brings the schema up to date before the API serves (under the migration lock).</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app) =>
        await app.Services.GetRequiredService<SchemaMigrator>().UpAsync(app.Lifetime.ApplicationStopping);

    /// <summary>The name Npgsql reports this instance's pool under, in its <c>db.client.connection.pool.name</c> tag.</summary>
    public sealed record DatabasePool(string Name);

    private static string? WithPoolBudget(string? connectionString, int? maxPoolSize) =>
        string.IsNullOrEmpty(connectionString) || maxPoolSize is not > 0
            ? connectionString
            : new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = maxPoolSize.Value }.ConnectionString;

    private static string? WithServiceDefaults(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return connectionString;
        }
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Timeout") && !given.ContainsKey("Connect Timeout"))
        {
            tuned.Timeout = ConnectTimeoutSeconds;
        }
        if (!given.ContainsKey("Command Timeout") && !given.ContainsKey("CommandTimeout"))
        {
            tuned.CommandTimeout = CommandTimeoutSeconds;
        }
        if (!given.Keys.Cast<string>().Any(key => key.Replace(" ", "", StringComparison.Ordinal) is { } compact
            && (compact.Equals("MaxPoolSize", StringComparison.OrdinalIgnoreCase) || compact.Equals("MaximumPoolSize", StringComparison.OrdinalIgnoreCase))))
        {
            tuned.MaxPoolSize = DefaultMaxPoolSize;
        }
        return tuned.ConnectionString;
    }
}
