using System.Net.Sockets;
using StackExchange.Redis;

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// A redis-server of a test's own on a loopback port, with no persistence: the shared rate-limit store as the API
/// meets it. It ends with the test, or with the test process if the test does not get that far.
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

    /// <summary>The API's <c>ConnectionStrings:cache</c> for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts a server on <paramref name="port"/> (a free one by default) and returns once it accepts connections.</summary>
    public static async Task<RedisServer> StartAsync(int? port = null)
    {
        var listen = port ?? FreePort.Next();
        var process = await LocalProcess.StartAsync(
            new LocalCommand(LocalProgram.Declared("redis-server").Path,
                ["--port", listen.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]),
            AnswersAsync(listen), Bound);
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

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static Func<CancellationToken, Task<bool>> AnswersAsync(int port) => async cancellationToken =>
    {
        using var socket = new TcpClient();
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    };
}
