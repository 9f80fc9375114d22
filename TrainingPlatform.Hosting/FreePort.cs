using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TrainingPlatform.Hosting;

/// <summary>
/// Loopback ports for programs that bind them later (a server started with its port on the command line). They come
/// from below the kernel's ephemeral range: a port from that range, free when asked for, can be taken as the local
/// port of an outgoing connection before the program binds it (a mail catcher booting for seconds lost its web port
/// that way in a test run). Each port is handed out once per process.
/// </summary>
public static class FreePort
{
    // Above the well-known service ports (Postgres 5432, Redis 6379, Prometheus 9090...).
    private const int Lowest = 20000;

    private static readonly ConcurrentDictionary<int, byte> Given = new();

    private static readonly Lazy<int> EphemeralStart = new(ReadEphemeralStart);

    /// <summary>A loopback port nothing listens on at the moment of the call, outside the ephemeral range.</summary>
    public static int Next()
    {
        var highest = EphemeralStart.Value;
        for (var attempt = 0; attempt < 1000 && highest > Lowest; attempt++)
        {
            var port = Random.Shared.Next(Lowest, highest);
            if (Given.TryAdd(port, 0) && IsFree(port))
            {
                return port;
            }
        }
        // No range below the ephemeral one (a system configured that way): the kernel's choice.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // The first port the kernel gives outgoing connections (Linux; 32768 by default, and where it cannot be read).
    private static int ReadEphemeralStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        try
        {
            return int.Parse(File.ReadAllText(range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
