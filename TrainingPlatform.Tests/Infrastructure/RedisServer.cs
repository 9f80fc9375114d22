using System.Net.Sockets;
using StackExchange.Redis;

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// A real redis-server on a loopback port of its own, started with the arguments a store of the stack gets
/// (<see cref="CacheServers"/>), nothing on disk. It ends with the test (or with the test host), and can be read
/// back with plain commands.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly LocalProcess _process;

    private RedisServer(LocalProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The API's connection string for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>
    /// Starts the server as the stack starts store <paramref name="name"/> (the rate limits' by default), on
    /// <paramref name="port"/> or a free one, and waits until it answers.
    /// </summary>
    public static async Task<RedisServer> StartAsync(string name = CacheServers.Limits, int? port = null)
    {
        var listen = port ?? FreePort.Next();
        var process = await LocalProcess.StartAsync(new LocalCommand(LocalProgram.Declared("redis-server").Path,
            ["--port", listen.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                .. CacheServers.Arguments(name)]),
            async cancellation =>
            {
                try
                {
                    return await CommandAsync(listen, "PING", cancellation) == "+PONG";
                }
                catch (SocketException)
                {
                    return false;
                }
            }, Bound);
        process.EndWithThisProcess();
        return new RedisServer(process, listen);
    }

    /// <summary>
    /// Waits until the API of <paramref name="services"/> has connected to its store: the client connects in the
    /// background, and a decision made before that falls back to process memory.
    /// </summary>
    public static Task WaitUntilConnectedAsync(IServiceProvider services)
    {
        var multiplexer = services.GetRequiredService<IConnectionMultiplexer>();
        return Wait.UntilAsync(() => multiplexer.IsConnected, Bound, "the API connected to redis-server");
    }

    /// <summary>How many keys the server holds (DBSIZE).</summary>
    public async Task<long> KeyCountAsync() => long.Parse((await CommandAsync(Port, "DBSIZE", CancellationToken.None))[1..],
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A configuration value (CONFIG GET), e.g. maxmemory-policy.</summary>
    public async Task<string> ConfigAsync(string parameter)
    {
        var reply = await CommandAsync(Port, $"CONFIG GET {parameter}", CancellationToken.None, lines: 5);
        return reply.Split("\r\n")[4];
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    // An inline command and the first lines of its reply (simple replies are one line; CONFIG GET of one key is five).
    private static async Task<string> CommandAsync(int port, string command, CancellationToken cancellation, int lines = 1)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, port, cancellation);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cancellation);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var reply = new List<string>();
        for (var i = 0; i < lines; i++)
        {
            reply.Add(await reader.ReadLineAsync(cancellation) ?? "");
        }
        return string.Join("\r\n", reply);
    }
}
