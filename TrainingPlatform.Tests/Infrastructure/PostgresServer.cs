using System.Diagnostics;
using Npgsql;

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server in a temporary data directory, run from the machine's binaries.
/// The server refuses to run as root, so it drops to the postgres user when the tests run as root.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(() => StartNewAsync());

    private Process? _process;

    private PostgresServer(string binDirectory, string dataDirectory, int port, string password)
    {
        BinDirectory = binDirectory;
        DataDirectory = dataDirectory;
        Port = port;
        Password = password;
    }

    public string BinDirectory { get; }
    public string DataDirectory { get; }
    public int Port { get; }
    public string Password { get; }
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>One server shared by the whole test run; each test class makes its own database on it.</summary>
    public static Task<PostgresServer> SharedAsync() => SharedServer.Value;

    public static async Task<PostgresServer> StartNewAsync()
    {
        var bin = FindBinDirectory();
        var root = Directory.CreateTempSubdirectory("tp-pg-");
        var data = Path.Combine(root.FullName, "data");
        var password = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
        var pwFile = Path.Combine(root.FullName, "pwfile");
        await File.WriteAllTextAsync(pwFile, password);
        Chown(root.FullName);
        Chown(pwFile);

        await RunToEndAsync(bin, "initdb", "-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
            "--pwfile=" + pwFile, "-E", "UTF8", "--no-sync");
        var server = new PostgresServer(bin, data, Loopback.FreePort(), password);
        await server.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Signal(Signals.SigInt);
        return server;
    }

    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Password = Password,
        Database = database,
        Pooling = false,
    }.ConnectionString;

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= "t_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        _process = Start(BinDirectory, "postgres", "-D", DataDirectory, "-p", Port.ToString(), "-k", DataDirectory,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString());
                await connection.OpenAsync();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL did not start on port {Port}: {_process.StandardError.ReadToEnd()}", e);
            }
        }
    }

    /// <summary>Fast shutdown, as an operator's <c>pg_ctl stop -m fast</c>: open sessions are cut.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        Signal(Signals.SigInt);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Path.GetDirectoryName(DataDirectory)!, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private void Signal(int signal)
    {
        if (_process is not null)
        {
            Signals.Send(_process, signal);
        }
    }

    private static string FindBinDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PG_BIN");
        var candidates = fromEnvironment is { Length: > 0 }
            ? [fromEnvironment]
            : Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderDescending().ToArray()
                : [];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres")))
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries not found (looked in PG_BIN and /usr/lib/postgresql/*/bin). Install them: apt-get install postgresql-15");
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static Process Start(string bin, string tool, params string[] args)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (IsRoot)
        {
            info.FileName = "setpriv";
            foreach (var a in new[] { "--reuid=postgres", "--regid=postgres", "--init-groups", "--" })
            {
                info.ArgumentList.Add(a);
            }
            info.ArgumentList.Add(Path.Combine(bin, tool));
        }
        else
        {
            info.FileName = Path.Combine(bin, tool);
        }
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info)!;
        // Drain output so a chatty server never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task RunToEndAsync(string bin, string tool, params string[] args)
    {
        using var process = Start(bin, tool, args);
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed ({process.ExitCode}): {stderr}");
        }
    }

    private static void Chown(string path)
    {
        if (!IsRoot)
        {
            return;
        }
        using var process = Process.Start("chown", ["postgres:postgres", path])!;
        process.WaitForExit();
    }


}
