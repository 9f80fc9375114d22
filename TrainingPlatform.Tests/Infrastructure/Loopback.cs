using System.Net;
using System.Net.Sockets;

namespace TrainingPlatform.Tests.Infrastructure;

public static class Loopback
{
    /// <summary>A loopback port nothing listens on at the moment of the call.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
