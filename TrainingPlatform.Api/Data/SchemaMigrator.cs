using FluentMigrator.Runner;

namespace TrainingPlatform.Api.Data;

/// <summary>
/// Applies and reverts the schema migrations in <see cref="Migrations"/>. Every run holds a Postgres advisory lock
/// on a dedicated connection, so instances starting together migrate one after the other: the first applies the
/// migrations, the others then find nothing left to do.
/// </summary>
public sealed class SchemaMigrator(IConfiguration configuration, ILoggerFactory loggerFactory)
{
    /// <summary>Any fixed number will do, as long as every instance uses the same one ("TPMIGR" in ASCII).</summary>
    public const long AdvisoryLockKey = 0x54_50_4D_49_47_52;
    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan MigrationCommandTimeout = TimeSpan.FromMinutes(10);

    private readonly ILogger _logger = loggerFactory.CreateLogger<SchemaMigrator>();

    public Task<SchemaChange> UpAsync(CancellationToken cancellationToken = default) =>
        UnderLockAsync(runner => runner.MigrateUp(), cancellationToken);

    public Task<SchemaChange> DownAsync(int steps, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        return UnderLockAsync(runner => runner.Rollback(steps), cancellationToken);
    }

    /// <summary>
    /// Reverts every applied migration newer than <paramref name="version"/>, newest first: the schema a release
    /// recorded before it was deployed. Only a version this release knows is accepted, so a mistyped one cannot
    /// revert more than intended.
    /// </summary>
    public Task<SchemaChange> DownToAsync(long version, CancellationToken cancellationToken = default) =>
        UnderLockAsync(runner =>
        {
            var known = runner.MigrationLoader.LoadMigrations().Keys;
            if (!known.Contains(version))
            {
                throw new InvalidOperationException(
                    $"{version} is not a migration this release knows (it knows {string.Join(", ", known)}).");
            }
            runner.MigrateDown(version);
        }, cancellationToken);

    /// <summary>The schema version as the backup records it: the highest applied migration, null on an empty database.</summary>
    public async Task<long?> VersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(MigrationConnectionString());
        await connection.OpenAsync(cancellationToken);
        return await ReadVersionAsync(connection, cancellationToken);
    }

    private async Task<SchemaChange> UnderLockAsync(Action<IMigrationRunner> migrate, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(MigrationConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            take.Parameters.AddWithValue("key", AdvisoryLockKey);
            take.CommandTimeout = (int)LockWait.TotalSeconds;
            await take.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            var before = await ReadVersionAsync(connection, cancellationToken);
            await using (var services = RunnerServices())
            {
                migrate(services.GetRequiredService<IMigrationRunner>());
            }
            var after = await ReadVersionAsync(connection, cancellationToken);
            _logger.LogInformation("Schema version {Before} -> {After}", before?.ToString() ?? "none", after?.ToString() ?? "none");
            return new SchemaChange(before, after);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            release.Parameters.AddWithValue("key", AdvisoryLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<long?> ReadVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("""SELECT to_regclass('public."VersionInfo"') IS NOT NULL""", connection);
        if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return null;
        }
        await using var version = new NpgsqlCommand("""SELECT max("Version") FROM public."VersionInfo" """, connection);
        return await version.ExecuteScalarAsync(cancellationToken) as long?;
    }

    private ServiceProvider RunnerServices() =>
        new ServiceCollection()
            .AddSingleton(loggerFactory)
            .AddLogging()
            .AddFluentMigratorCore()
            .ConfigureRunner(runner => runner
                .AddPostgres()
                .WithGlobalConnectionString(MigrationConnectionString())
                .WithGlobalCommandTimeout(MigrationCommandTimeout)
                .ScanIn(typeof(SchemaMigrator).Assembly).For.Migrations())
            .BuildServiceProvider(validateScopes: false);

    // Migrations get their own unpooled connections and a long command timeout: the request path's fail-fast
    // timeouts would abort a long ALTER on a big table. Without a pool there is no multiplexing either (Npgsql refuses
    // the pair), whatever the request path's connection string says.
    private string MigrationConnectionString()
    {
        var configured = configuration.GetConnectionString(DatabaseServices.ConnectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{DatabaseServices.ConnectionName} is not set (environment variable ConnectionStrings__{DatabaseServices.ConnectionName}).");
        return new NpgsqlConnectionStringBuilder(configured) { Pooling = false, Multiplexing = false }.ConnectionString;
    }
}

public sealed record SchemaChange(long? Before, long? After);
