using System.Net.Sockets;

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// A loopback HTTP server that answers every request with what <paramref name="answer"/> returns for it: for
/// stand-ins that play a peer no real program plays here (a Prometheus with a mangled answer, a host of bare 404s,
/// Alertmanager's webhook receivers). It stops when disposed.
/// </summary>
public class CannedHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<HttpListenerRequest, (int Status, string ContentType, string Body)> _answer;
    private readonly Task _serving;

    public CannedHttpServer(Func<HttpListenerRequest, (int Status, string ContentType, string Body)> answer)
        : this(answer, FreePort.Next)
    {
    }

    /// <param name="ports">Where the ports to try come from: the next one when another process holds the last.</param>
    internal CannedHttpServer(Func<HttpListenerRequest, (int Status, string ContentType, string Body)> answer, Func<int> ports)
    {
        _answer = answer;
        (_listener, BaseAddress) = Listen(ports);
        _serving = ServeAsync();
    }

    public string BaseAddress { get; }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
        GC.SuppressFinalize(this);
    }

    // The platform's own code for it (errno EADDRINUSE here), as HttpListener reports a failed bind.
    private static readonly int AddressInUse = new SocketException((int)SocketError.AddressAlreadyInUse).NativeErrorCode;

    // HttpListener cannot bind port 0 and report the port, so the port is chosen first. Free when chosen, it can
    // still be bound by another process before the listener starts (a suite run lost the alert webhooks that way):
    // then another port is tried.
    private static (HttpListener, string) Listen(Func<int> ports)
    {
        for (var attempt = 1; ; attempt++)
        {
            var listener = new HttpListener();
            var baseAddress = $"http://127.0.0.1:{ports()}";
            listener.Prefixes.Add(baseAddress + "/");
            try
            {
                listener.Start();
                return (listener, baseAddress);
            }
            catch (HttpListenerException e) when (e.ErrorCode == AddressInUse && attempt < 10)
            {
                listener.Close();
            }
        }
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
            var (status, contentType, body) = _answer(context.Request);
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
            context.Response.Close();
        }
    }
}
