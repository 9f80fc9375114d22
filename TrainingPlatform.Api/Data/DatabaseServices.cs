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

    /// <summary>
    /// Statements each pooled connection keeps prepared once used a few times: more than the API has hot ones. A
    /// prepared statement is parsed and planned once per connection instead of on every request, which on a
    /// primary-key read is about half of the server's work (ops/docs/performance.md, learner section).
    /// </summary>
    public const int DefaultMaxAutoPrepare = 64;

    /// <summary>
    /// Session options for the API's connections: one plan per prepared statement. Every statement the API runs finds
    /// its rows by key through an index made for it, so one plan serves every caller. Left to choose, Postgres plans
    /// a statement anew on each execution whenever its generic plan's estimate (an average over all users) looks worse
    /// than one made for the values at hand: the enrollments page then spent three times its execution on planning,
    /// once other learners had enrolled in many courses (ops/docs/performance.md, learner section). A connection
    /// string that sets <c>Options</c> keeps its own.
    /// </summary>
    public const string DefaultOptions = "-c plan_cache_mode=force_generic_plan";

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
        if (!Sets(given, "Timeout", "ConnectTimeout"))
        {
            tuned.Timeout = ConnectTimeoutSeconds;
        }
        if (!Sets(given, "CommandTimeout"))
        {
            tuned.CommandTimeout = CommandTimeoutSeconds;
        }
        if (!Sets(given, "MaxPoolSize", "MaximumPoolSize"))
        {
            tuned.MaxPoolSize = DefaultMaxPoolSize;
        }
        if (!Sets(given, "MaxAutoPrepare"))
        {
            tuned.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }
        // The request path leaves no session state behind (no SET, no session-level advisory lock, no temporary
        // table; Npgsql still rolls back an open transaction), so a connection going back to the pool needs no
        // reset statement. Migrations use unpooled connections of their own.
        if (!Sets(given, "NoResetOnClose"))
        {
            tuned.NoResetOnClose = true;
        }
        if (!Sets(given, "Options"))
        {
            tuned.Options = DefaultOptions;
        }
        // Not multiplexing (Multiplexing=true), though it read faster: with every connection held by a transaction, a
        // multiplexed read waits for one past the pool's Timeout instead of failing fast with a 503
        // (PoolExhaustionTests; ops/docs/performance.md, learner section).
        return tuned.ConnectionString;
    }

    /// <summary>Whether the connection string sets one of these keys (compared without spaces, ignoring case).</summary>
    private static bool Sets(DbConnectionStringBuilder given, params string[] keys) =>
        given.Keys.Cast<string>().Any(key => keys.Contains(key.Replace(" ", "", StringComparison.Ordinal), StringComparer.OrdinalIgnoreCase));
}
