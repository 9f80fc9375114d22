namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// A loopback HTTP server that answers every request with what <paramref name="answer"/> returns for it: for
/// stand-ins that play a misbehaving peer no real program plays (a Prometheus with a mangled answer, a host of bare
/// 404s). It stops when disposed.
/// </summary>
public class CannedHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerRequest, (int Status, string ContentType, string Body)> _answer;
    private readonly Task _serving;

    public CannedHttpServer(Func<HttpListenerRequest, (int Status, string ContentType, string Body)> answer)
    {
        _answer = answer;
        BaseAddress = $"http://127.0.0.1:{FreePort.Next()}";
        _listener.Prefixes.Add(BaseAddress + "/");
        _listener.Start();
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

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
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
