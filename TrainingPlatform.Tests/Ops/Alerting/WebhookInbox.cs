using System.Collections.Concurrent;

namespace TrainingPlatform.Tests.Ops.Alerting;

/// <summary>One alert of an Alertmanager webhook notification.</summary>
internal sealed record Notified(string Receiver, string Status, IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations, DateTimeOffset ReceivedAt)
{
    public string AlertName => Labels.GetValueOrDefault("alertname", "");
}

/// <summary>
/// The webhook end of Alertmanager's receivers: a loopback server that keeps every alert of every notification, by
/// the receiver whose path it was posted to (/page, /ticket, /watchdog).
/// </summary>
internal sealed class WebhookInbox : IAsyncDisposable
{
    private readonly ConcurrentQueue<Notified> _received = new();
    private readonly CannedHttpServer _server;

    private WebhookInbox() => _server = new CannedHttpServer(Receive);

    public static WebhookInbox Start() => new();

    public string UrlFor(string receiver) => $"{_server.BaseAddress}/{receiver}";

    public IReadOnlyList<Notified> Received(string receiver) => _received.Where(n => n.Receiver == receiver).ToList();

    /// <summary>Waits for a notification to <paramref name="receiver"/> of a firing <paramref name="alertName"/>.</summary>
    public async Task<Notified> WaitForAsync(string receiver, string alertName, TimeSpan timeout, Func<string> context)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_received.FirstOrDefault(n => n.Receiver == receiver && n.AlertName == alertName && n.Status == "firing") is { } found)
            {
                return found;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"No firing {alertName} reached '{receiver}' within {timeout.TotalSeconds:0} s. Received: "
            + string.Join(", ", _received.Select(n => $"{n.Receiver}:{n.AlertName}:{n.Status}")) + "\n" + context());
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private (int, string, string) Receive(HttpListenerRequest request)
    {
        using var document = JsonDocument.Parse(request.InputStream);
        var receiver = request.Url!.AbsolutePath.Trim('/');
        foreach (var alert in document.RootElement.GetProperty("alerts").EnumerateArray())
        {
            _received.Enqueue(new Notified(receiver, alert.GetProperty("status").GetString()!,
                Strings(alert.GetProperty("labels")), Strings(alert.GetProperty("annotations")), DateTimeOffset.UtcNow));
        }
        return (200, "text/plain", "");
    }

    private static Dictionary<string, string> Strings(JsonElement map) =>
        map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
}
