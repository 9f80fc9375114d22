namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>
/// A misbehaving deployment: healthy, but every other path is a bare text/plain 404 with no problem body
/// and no request id (as a proxy or a half-configured host answers).
/// </summary>
public sealed class PlainNotFoundServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public PlainNotFoundServer()
    {
        var port = FreePort.Next();
        BaseAddress = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(BaseAddress + "/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string BaseAddress { get; }

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
            var healthz = context.Request.Url?.AbsolutePath == "/healthz";
            context.Response.StatusCode = healthz ? 200 : 404;
            context.Response.ContentType = healthz ? "application/json" : "text/plain";
            var body = Encoding.UTF8.GetBytes(healthz ? """{"status":"Healthy","checks":{}}""" : "Not Found");
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
