using System.Net;
using System.Net.Sockets;

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// <see cref="FreePort"/> hands out ports a program binds later: each once, free, and never from the range the kernel
/// gives outgoing connections (one of those took a mail catcher's port while it booted).
/// </summary>
public class FreePortTests
{
    [Fact]
    public void Ports_are_distinct_bindable_and_below_the_ephemeral_range()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null,
            StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);

        var ports = Enumerable.Range(0, 50).Select(_ => FreePort.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, 20000, ephemeralStart - 1));
        foreach (var port in ports)
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }
}
