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
    // about five seconds rather than hang. "Timeout" also bounds the wait for a pooled connection and, for a multiplexed
    // read, the wait for its answer: Npgsql applies it there instead of the command timeout (MultiplexedReadTests).
    private const int ConnectTimeoutSeconds = 3;
    private const int CommandTimeoutSeconds = 5;

    /// <summary>
    /// Npgsql's default pool (100) lets every concurrent request open a backend of its own; on a small machine they
    /// compete for the same cores and the tail grows (ops/docs/performance.md). A few connections per core serve as
    /// many requests per second with a far shorter queue. Eight per core leaves the multiplexed reads two per core (a
    /// quarter): with four per core, one for reads, the enrollments page's p95 was higher in 7 of 8 interleaved rounds
    /// (ops/docs/performance.md, learner section). The AppHost always sets a budget; this default serves a process
    /// started without one (benchmarks, tests). A connection string's own Maximum Pool Size wins over it, and
    /// <c>Database:MaxPoolSize</c> over both.
    /// </summary>
    public static readonly int DefaultMaxPoolSize = Math.Max(16, 8 * Environment.ProcessorCount);

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

    /// <summary>
    /// The service key (and Aspire name) of the data source for reads: single statements outside a transaction, which
    /// Npgsql multiplexes (many requests' statements written and answered together on a few connections). The
    /// unkeyed <see cref="NpgsqlDataSource"/> serves transactions and everything else, one connection each.
    /// </summary>
    public const string Reads = ConnectionName + "-reads";

    /// <summary>The Npgsql data sources (with health check and telemetry), outage handling and pool gauges.</summary>
    public static IHostApplicationBuilder AddTrainingDatabase(this IHostApplicationBuilder builder)
    {
        // Pool names of this instance's own, so the pool gauges count its connections and no other data source's.
        var id = Guid.NewGuid().ToString("N");
        var pools = new DatabasePools($"{ConnectionName}-{id}", $"{Reads}-{id}");
        builder.Services.AddSingleton(pools);
        var budget = builder.Configuration.GetValue<int?>(MaxPoolSizeKey);
        builder.AddNpgsqlDataSource(ConnectionName,
            settings => settings.ConnectionString = ForWrites(settings.ConnectionString, budget),
            dataSource => dataSource.Name = pools.Writes);
        // Multiplexing is for reads only. A transaction holds a connection for itself, and Npgsql's multiplexer waits
        // without bound for a connection no transaction holds: with every one held by a stalled write, reads would hang
        // instead of failing fast with a 503 (PoolExhaustionTests). Apart, stalled writes exhaust their own pool and get
        // their 503 after its Timeout, and reads carry on. The writes' health check covers the same server.
        builder.AddKeyedNpgsqlDataSource(Reads,
            settings =>
            {
                settings.ConnectionString = ForReads(builder.Configuration.GetConnectionString(ConnectionName) ?? settings.ConnectionString, budget);
                settings.DisableHealthChecks = true;
            },
            dataSource => dataSource.Name = pools.Reads);
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        builder.Services.AddSingleton<SchemaMigrator>();
        builder.Services.AddHostedService<DatabasePoolGauges>();
        return builder;
    }

    /// <summary>Brings the schema up to date before the API serves (under the migration lock).</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app) =>
        await app.Services.GetRequiredService<SchemaMigrator>().UpAsync(app.Lifetime.ApplicationStopping);

    /// <summary>The names Npgsql reports this instance's two pools under, in its <c>db.client.connection.pool.name</c> tag.</summary>
    public sealed record DatabasePools(string Writes, string Reads);

    /// <summary>
    /// How this replica's connection budget is shared: a quarter (at least one) for the multiplexed reads, which need
    /// few connections because each carries many requests' statements at once; the rest for transactions, each of which
    /// holds one connection from its first statement to its commit.
    /// </summary>
    internal static (int Reads, int Writes) Share(int budget)
    {
        if (budget < 2)
        {
            throw new InvalidOperationException(
                $"The API needs a database connection budget of at least 2 (one for reads, one for transactions); {MaxPoolSizeKey} or the connection string's Maximum Pool Size gives {budget}.");
        }
        var reads = Math.Max(1, budget / 4);
        return (reads, budget - reads);
    }

    internal static string? ForWrites(string? connectionString, int? budget) => Shared(connectionString, budget, (tuned, share) =>
    {
        tuned.MaxPoolSize = share.Writes;
        tuned.Multiplexing = false;
    });

    internal static string? ForReads(string? connectionString, int? budget) => Shared(connectionString, budget, (tuned, share) =>
    {
        tuned.MaxPoolSize = share.Reads;
        // Multiplexing shares pooled connections; a connection string that turns pooling off keeps one per statement.
        tuned.Multiplexing = tuned.Pooling;
    });

    private static string? Shared(string? connectionString, int? budget, Action<NpgsqlConnectionStringBuilder, (int Reads, int Writes)> apply)
    {
        var withDefaults = WithServiceDefaults(connectionString);
        if (string.IsNullOrEmpty(withDefaults))
        {
            return withDefaults;
        }
        var tuned = new NpgsqlConnectionStringBuilder(withDefaults);
        apply(tuned, Share(budget is > 0 ? budget.Value : tuned.MaxPoolSize));
        return tuned.ConnectionString;
    }

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
        return tuned.ConnectionString;
    }

    /// <summary>Whether the connection string sets one of these keys (compared without spaces, ignoring case).</summary>
    private static bool Sets(DbConnectionStringBuilder given, params string[] keys) =>
        given.Keys.Cast<string>().Any(key => keys.Contains(key.Replace(" ", "", StringComparison.Ordinal), StringComparer.OrdinalIgnoreCase));
}
