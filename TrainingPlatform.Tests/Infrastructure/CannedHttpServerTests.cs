using System.Net.Sockets;

namespace TrainingPlatform.Tests.Infrastructure;

public class CannedHttpServerTests
{
    [Fact]
    public async Task A_port_another_process_took_after_it_was_chosen_is_passed_over()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var ports = new Queue<int>([takenPort, FreePort.Next()]);

        await using var server = new CannedHttpServer(_ => (200, "text/plain", "answered"), ports.Dequeue);

        Assert.Empty(ports);
        Assert.NotEqual($"http://127.0.0.1:{takenPort}", server.BaseAddress);
        using var client = new HttpClient();
        Assert.Equal("answered", await client.GetStringAsync(server.BaseAddress + "/any"));
    }
}
