using Npgsql;

namespace TrainingPlatform.Hosting;

/// <summary>
/// How PostgreSQL runs from the machine's binaries: the initdb and server command lines (the AppHost hands them to
/// DCP), and a private server in a folder of its own for the tests and the benchmarks.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly string[] _settings;
    private LocalProcess? _process;

    private LocalPostgres(string root, int port, string? password, string[] settings)
    {
        Root = root;
        Port = port;
        Password = password;
        _settings = settings;
    }

    public string Root { get; }
    public string DataDirectory => Path.Combine(Root, "data");
    public int Port { get; }

    /// <summary>The superuser's password, or null where local connections are trusted (benchmarks).</summary>
    public string? Password { get; }

    /// <summary>The server's own folder (pg_dump, pg_restore and psql of the same version live there too).</summary>
    public static string BinDirectory =>
        Path.GetDirectoryName(new FileInfo(LocalProgram.Postgres.Path).ResolveLinkTarget(returnFinalTarget: true)?.FullName
            ?? LocalProgram.Postgres.Path)!;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// initdb for a new cluster owned by the postgres user. With a password file, TCP connections need the password
    /// (scram-sha-256); without one, they are trusted.
    /// </summary>
    public static LocalCommand Initdb(string dataDirectory, string? passwordFile, bool durable = true) =>
        LocalCommand.AsPostgresUser(LocalProgram.Initdb,
        [
            "-D", dataDirectory, "-U", "postgres", "-E", "UTF8",
            .. passwordFile is null ? ["--auth=trust"] : new[] { "--auth-local=peer", "--auth-host=scram-sha-256", "--pwfile=" + passwordFile },
            .. durable ? [] : new[] { "--no-sync" },
        ]);

    /// <summary>The server on 127.0.0.1 only, no Unix socket; the port comes from <c>PGPORT</c> when not given.</summary>
    public static LocalCommand Server(string dataDirectory, int? port = null, params IEnumerable<string> settings) =>
        LocalCommand.AsPostgresUser(LocalProgram.Postgres,
        [
            "-D", dataDirectory, "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
            .. port is null ? [] : new[] { "-p", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            .. settings.SelectMany(setting => new[] { "-c", setting }),
        ]);

    /// <summary>
    /// A new cluster in a new temporary folder, started on a free port. Without durability (fsync off) it is for
    /// tests; <paramref name="password"/> null trusts every connection (benchmarks measure the server, not auth).
    /// </summary>
    public static Task<LocalPostgres> StartNewAsync(string? password, bool durable, params string[] settings) =>
        StartNewAsync(password, durable, (_, _) => settings);

    /// <summary>
    /// As above, with settings that depend on the new server's folder and port (archiving: the pgBackRest
    /// configuration names both).
    /// </summary>
    public static async Task<LocalPostgres> StartNewAsync(string? password, bool durable, Func<string, int, IEnumerable<string>> settingsFor)
    {
        var root = Directory.CreateTempSubdirectory("tp-pg-").FullName;
        string? passwordFile = null;
        if (password is not null)
        {
            passwordFile = Path.Combine(root, "pwfile");
            await File.WriteAllTextAsync(passwordFile, password);
        }
        GiveToPostgresUser(root);
        await LocalProcess.RunAsync(Initdb(Path.Combine(root, "data"), passwordFile, durable), TimeSpan.FromMinutes(2));
        var port = FreePort.Next();
        var server = new LocalPostgres(root, port, password,
            [.. durable ? [] : new[] { "fsync=off" }, .. settingsFor(root, port)]);
        await server.StartAsync();
        return server;
    }

    public string ConnectionString(string database = "postgres", bool pooling = false) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Password = Password,
        Database = database,
        Pooling = pooling,
    }.ConnectionString;

    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }
        _process = await LocalProcess.StartAsync(Server(DataDirectory, Port, _settings), async cancellation =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString());
                await connection.OpenAsync(cancellation);
                return true;
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));
        // A private server: it ends with the test run or benchmark that started it, however that ends.
        _process.EndWithThisProcess();
    }

    /// <summary>Fast shutdown, as an operator's <c>pg_ctl stop -m fast</c>: open sessions are cut.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync(LocalProcess.SigInt, TimeSpan.FromSeconds(30));
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Immediate shutdown (SIGQUIT), as <c>pg_ctl stop -m immediate</c> or a crash: no shutdown checkpoint, no last WAL switch.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync(SigQuit, TimeSpan.FromSeconds(30));
            await _process.DisposeAsync();
            _process = null;
        }
    }

    private const int SigQuit = 3;

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    /// <summary>As root, the server (which runs as the postgres user) must own its folder.</summary>
    public static void GiveToPostgresUser(string path)
    {
        if (!LocalCommand.IsRoot)
        {
            return;
        }
        using var chown = System.Diagnostics.Process.Start("chown", ["-R", "postgres:postgres", path])!;
        chown.WaitForExit();
    }
}
