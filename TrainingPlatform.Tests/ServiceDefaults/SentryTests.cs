using System.Collections.Concurrent;
using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sentry;

namespace TrainingPlatform.Tests.ServiceDefaults;

// Alone: the Sentry SDK keeps one hub per process, which would catch what tests running beside it raise.
[Collection(RunsAloneCollection.Name)]
public sealed class SentryTests
{
    [Fact]
    public async Task An_unhandled_exception_reaches_the_Sentry_DSN_with_the_request_id()
    {
        await using var sentry = await SentryStandIn.StartAsync();
        await using var host = await ServiceHost.StartAsync(settings: new Dictionary<string, string?> { ["SENTRY_DSN"] = sentry.Dsn });
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/boom");
        request.Headers.Add(RequestId.HeaderName, "sentry-request-1");

        using var response = await client.SendAsync(request);

        Assert.Equal(500, (int)response.StatusCode);
        var envelope = await sentry.WaitForEnvelopeAsync("sentry-request-1");
        Assert.Contains("\"type\":\"event\"", envelope, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", envelope, StringComparison.Ordinal);
        Assert.Contains("\"request_id\":\"sentry-request-1\"", envelope, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_DSN_no_Sentry_code_is_registered()
    {
        await using var host = await ServiceHost.StartAsync();

        Assert.Null(host.App.Services.GetService<IHub>());
    }

    /// <summary>A local HTTP listener standing in for sentry.io: it keeps every envelope it is sent.</summary>
    private sealed class SentryStandIn : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<string> _envelopes;

        private SentryStandIn(WebApplication app, ConcurrentQueue<string> envelopes)
        {
            _app = app;
            _envelopes = envelopes;
        }

        public string Dsn => $"http://public-key@{new Uri(_app.Urls.First()).Authority}/42";

        public static async Task<SentryStandIn> StartAsync()
        {
            var envelopes = new ConcurrentQueue<string>();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapPost("/api/42/envelope/", async (HttpRequest request) =>
            {
                var body = request.Headers.ContentEncoding == "gzip" ? new GZipStream(request.Body, CompressionMode.Decompress) : request.Body;
                using var reader = new StreamReader(body, Encoding.UTF8);
                envelopes.Enqueue(await reader.ReadToEndAsync());
                return Results.Ok();
            });
            await app.StartAsync();
            return new SentryStandIn(app, envelopes);
        }

        public async Task<string> WaitForEnvelopeAsync(string containing)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            while (!timeout.IsCancellationRequested)
            {
                if (_envelopes.FirstOrDefault(envelope => envelope.Contains(containing, StringComparison.Ordinal)) is { } found)
                {
                    return found;
                }
                await Task.Delay(50);
            }
            throw new TimeoutException($"No envelope containing {containing} within 15 s; received {_envelopes.Count}:\n" + string.Join("\n---\n", _envelopes));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
