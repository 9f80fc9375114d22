using System.Collections.Concurrent;

namespace TrainingPlatform.Tests.Ops.Alerting;

/// <summary>One alert of an Alertmanager webhook notification.</summary>
internal sealed record Notified(string Receiver, string Status, IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations, DateTimeOffset ReceivedAt)
{
    public string AlertName => Labels.GetValueOrDefault("alertname", "");
}

/// <summary>
/// The webhook end of Alertmanager's receivers: an <see cref="HttpListener"/> on loopback that keeps every alert of
/// every notification, by the receiver whose path it was posted to (/page, /ticket, /watchdog).
/// </summary>
internal sealed class WebhookInbox : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Notified> _received = new();
    private readonly Task _loop;

    private WebhookInbox(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public static WebhookInbox Start() => new(FreePort.Next());

    public string UrlFor(string receiver) => $"http://127.0.0.1:{Port}/{receiver}";

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

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using (var document = await JsonDocument.ParseAsync(context.Request.InputStream))
            {
                var receiver = context.Request.Url!.AbsolutePath.Trim('/');
                foreach (var alert in document.RootElement.GetProperty("alerts").EnumerateArray())
                {
                    _received.Enqueue(new Notified(receiver, alert.GetProperty("status").GetString()!,
                        Strings(alert.GetProperty("labels")), Strings(alert.GetProperty("annotations")), DateTimeOffset.UtcNow));
                }
            }
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    private static Dictionary<string, string> Strings(JsonElement map) =>
        map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
}
