using System.Diagnostics;
using System.Runtime;
using Microsoft.AspNetCore.Http.Features;
using TrainingPlatform.ServiceDefaults;

namespace TrainingPlatform.Api.Http;

/// <summary>The warm-up's second phase: the signed-in routes through the app's own pipeline until the JIT settles.</summary>
public sealed partial class WarmUp
{
    /// <summary>After its calls the warm-up ends once the JIT has compiled next to nothing for this long ...</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    /// <summary>
    /// ... or once it has gone on this long (<see cref="SettleSecondsKey"/>, 0 for no settling), however busy the JIT
    /// still is: by default about as long as the JIT's burst of tier-1 recompiling took here. Every second of it is a
    /// second longer before a new replica is ready (10 s made the start 9–13 s instead of 1.4–3.2 s on a shared
    /// machine, ops/docs/performance.md).
    /// </summary>
    public const string SettleSecondsKey = "WarmUp:SettleSeconds";

    private const double DefaultSettleSeconds = 5;

    private static readonly TimeSpan JitSample = TimeSpan.FromMilliseconds(100);

    // Methods compiled within one sample that still count as quiet: under the warm-up's load the JIT recompiles a few
    // thousand methods over some seconds, then only a stray one now and then (a timer, a rare branch).
    private const int Trickle = 2;

    private long _requests;

    // The signed-in reads, for ids that do not exist (the account and a course answer 404, the enrollments an empty page).
    private static readonly string[] Routes = ["/api/v1/auth/me/", "/api/v1/courses/0/", "/api/v1/courses/0/lessons/", "/api/v1/enrollments/"];

    /// <summary>
    /// The routes through the pipeline on every connection until the JIT has been quiet for <see cref="Quiet"/>, at most
    /// <paramref name="maxSettle"/>: what it compiles meanwhile is what the first real requests would otherwise wait for.
    /// </summary>
    private async Task SettleAsync(int connections, string token, Action keepLive, RequestDelegate pipeline, TimeSpan maxSettle,
        CancellationToken stoppingToken)
    {
        if (maxSettle <= TimeSpan.Zero)
        {
            return;
        }
        using var settled = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            while (!settled.IsCancellationRequested)
            {
                await RequestRoutesAsync(pipeline, token);
            }
        }, stoppingToken)).ToList();
        var started = Stopwatch.GetTimestamp();
        var quietSince = started;
        var compiled = JitInfo.GetCompiledMethodCount();
        while (!workers.Any(worker => worker.IsCompleted) && Stopwatch.GetElapsedTime(started) < maxSettle
            && Stopwatch.GetElapsedTime(quietSince) < Quiet)
        {
            keepLive();
            await Task.Delay(JitSample, stoppingToken);
            var now = JitInfo.GetCompiledMethodCount();
            if (now - compiled > Trickle)
            {
                quietSince = Stopwatch.GetTimestamp();
            }
            compiled = now;
        }
        await settled.CancelAsync();
        await Task.WhenAll(workers);
    }

    /// <summary>Each route once through the pipeline, as a request from no client; a server error ends the warm-up.</summary>
    private async Task RequestRoutesAsync(RequestDelegate pipeline, string token)
    {
        var contexts = services.GetRequiredService<IHttpContextFactory>();
        foreach (var route in Routes)
        {
            var features = new FeatureCollection();
            features.Set<IHttpRequestFeature>(new HttpRequestFeature { Method = HttpMethods.Get, Scheme = "http", Path = route, Protocol = "HTTP/1.1" });
            features.Set<IHttpResponseFeature>(new HttpResponseFeature());
            features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
            features.Set(WarmUpRequest.Instance);
            var context = contexts.Create(features);
            try
            {
                context.Request.Host = new HostString("localhost");
                context.Request.Headers.Authorization = "Bearer " + token;
                await pipeline(context);
                Interlocked.Increment(ref _requests);
                if (context.Response.StatusCode >= StatusCodes.Status500InternalServerError)
                {
                    throw new InvalidOperationException($"GET {route} answered {context.Response.StatusCode}.");
                }
            }
            finally
            {
                contexts.Dispose(context);
            }
        }
    }
}
