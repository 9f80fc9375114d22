using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TrainingPlatform.Tests.ServiceDefaults;

/// <summary>An OTLP/HTTP collector on loopback that keeps each protobuf payload (its strings are readable as bytes).</summary>
internal sealed class OtlpStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Path, string Payload)> _payloads;

    private OtlpStandIn(WebApplication app, ConcurrentQueue<(string, string)> payloads)
    {
        _app = app;
        _payloads = payloads;
    }

    public string Endpoint => _app.Urls.First();

    public static async Task<OtlpStandIn> StartAsync()
    {
        var payloads = new ConcurrentQueue<(string, string)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/{signal}", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            payloads.Enqueue((request.Path.Value!, Encoding.Latin1.GetString(buffer.ToArray())));
            return Results.Ok();
        });
        await app.StartAsync();
        return new OtlpStandIn(app, payloads);
    }

    public string Received(string path) => string.Join("\n", _payloads.Where(p => p.Path == path).Select(p => p.Payload));

    public async Task<string> WaitForAsync(string path, string containing)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!timeout.IsCancellationRequested)
        {
            if (_payloads.FirstOrDefault(p => p.Path == path && p.Payload.Contains(containing, StringComparison.Ordinal)) is { Payload: { } found })
            {
                return found;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"No {path} payload containing {containing} within 15 s; paths received: "
            + string.Join(", ", _payloads.Select(p => p.Path)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
