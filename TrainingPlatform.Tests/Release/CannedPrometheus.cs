namespace TrainingPlatform.Tests.Release;

/// <summary>
/// A stand-in for Prometheus that answers every instant query successfully with the result
/// <paramref name="resultFor"/> gives for the query text: for answers a real Prometheus does not give.
/// </summary>
internal sealed class CannedPrometheus : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string, string> _resultFor;
    private readonly Task _serving;

    public CannedPrometheus(Func<string, string> resultFor)
    {
        _resultFor = resultFor;
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
            var query = context.Request.QueryString["query"] ?? "";
            var body = Encoding.UTF8.GetBytes("""{"status":"success","data":{"resultType":"vector","result":""" + _resultFor(query) + "}}");
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }
}
