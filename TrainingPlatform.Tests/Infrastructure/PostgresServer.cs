namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for tests: a private cluster (fsync off, password auth over TCP) started the one way
/// the stack and the benchmarks start it (<see cref="LocalPostgres"/>).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(StartNewAsync);

    private readonly LocalPostgres _server;

    private PostgresServer(LocalPostgres server) => _server = server;

    public int Port => _server.Port;
    public string DataDirectory => _server.DataDirectory;
    public string BinDirectory => LocalPostgres.BinDirectory;
    public string Password => _server.Password!;
    public bool IsRunning => _server.IsRunning;

    /// <summary>One server shared by the whole test run; each test class makes its own database on it.</summary>
    public static Task<PostgresServer> SharedAsync() => SharedServer.Value;

    public static async Task<PostgresServer> StartNewAsync()
    {
        var password = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
        var server = new PostgresServer(await LocalPostgres.StartNewAsync(password, durable: false, "max_connections=200"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.StopAsync().Wait(TimeSpan.FromSeconds(10));
        return server;
    }

    public string ConnectionString(string database = "postgres") => _server.ConnectionString(database);

    /// <summary>Creates a fresh database (empty, or a copy of <paramref name="template"/>) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null, string? template = null)
    {
        name ??= "t_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        var copy = template is null ? "" : $" TEMPLATE \"{template}\"";
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"{copy}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>
    /// <paramref name="connectionString"/> as the API runs with it in production: pooled. The tests' own connection
    /// strings are not, so a finished test leaves no idle server process behind; the API's pool closes with the API.
    /// Unpooled, every request paid a new server process and a SCRAM exchange (about 7 ms of CPU on both sides here).
    /// </summary>
    public static string Pooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = true }.ConnectionString;

    /// <summary>
    /// Creates a fresh database and returns its connection string with pooling on, as the API runs in production,
    /// capped at <paramref name="maxPoolSize"/> connections.
    /// </summary>
    public async Task<string> CreatePooledDatabaseAsync(int maxPoolSize = 100) =>
        new NpgsqlConnectionStringBuilder(await CreateDatabaseAsync()) { Pooling = true, MaxPoolSize = maxPoolSize }.ConnectionString;

    public Task StartAsync() => _server.StartAsync();

    /// <summary>Fast shutdown, as an operator's <c>pg_ctl stop -m fast</c>: open sessions are cut.</summary>
    public Task StopAsync() => _server.StopAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
