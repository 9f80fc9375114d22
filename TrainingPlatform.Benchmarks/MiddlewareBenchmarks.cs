using System.Diagnostics;
using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;
using TrainingPlatform.ServiceDefaults;

namespace TrainingPlatform.Benchmarks;

/// <summary>
/// One request through each pipeline, built with <see cref="ApplicationBuilder"/> over one reused
/// <see cref="DefaultHttpContext"/> that already carries a fixed route endpoint (as routing would have set it), and
/// a terminal delegate that only sets 200. No server, no sockets: what is left is the middleware's own cost.
/// </summary>
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private static readonly RouteEndpoint Hello = new(
        _ => Task.CompletedTask, RoutePatternFactory.Parse("/hello"), 0, EndpointMetadataCollection.Empty, "hello");

    private readonly List<IDisposable> _owned = [];
    private DefaultHttpContext _context = null!;
    private RequestDelegate _bare = null!;
    private RequestDelegate _audit = null!;
    private RequestDelegate _auditLogged = null!;
    private RequestDelegate _prometheusNet = null!;
    private Activity _recordedTrace = null!;

    /// <summary>True: the caller sent an acceptable X-Request-ID. False: the middleware makes one.</summary>
    [Params(true, false)]
    public bool IncomingRequestId { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // prometheus-net's default metrics off, as in the promnet host: the comparison is with its middleware alone.
        Metrics.SuppressDefaultMetrics();

        _context = new DefaultHttpContext();
        _context.Request.Method = HttpMethods.Get;
        _context.Request.Path = "/hello";
        _context.Connection.RemoteIpAddress = IPAddress.Loopback;
        if (IncomingRequestId)
        {
            _context.Request.Headers[RequestId.HeaderName] = "4bf92f3577b34da6a3ce929d0e0e4736";
        }
        _context.SetEndpoint(Hello);

        _bare = Build(Services(LoggerFactory.Create(_ => { })), _ => { });
        _audit = Build(Services(LoggerFactory.Create(_ => { })), app => app.UseMiddleware<RequestAuditMiddleware>());
        _auditLogged = Build(Services(JsonConsoleToNowhere()), app => app.UseMiddleware<RequestAuditMiddleware>());
        _prometheusNet = Build(Services(LoggerFactory.Create(_ => { })), app => app.UseHttpMetrics());

        // The request activity a host makes when OpenTelemetry records the trace: the latency exemplar's input.
        _recordedTrace = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();
        _recordedTrace.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        Activity.Current = null;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _recordedTrace.Dispose();
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "bare")]
    public Task Bare() => _bare(_context);

    [Benchmark(Description = "audit")]
    public Task Audit() => _audit(_context);

    /// <summary>The audit under a recorded trace: the latency histogram's exemplar sampling on top.</summary>
    [Benchmark(Description = "audit+trace")]
    public Task AuditTraced()
    {
        Activity.Current = _recordedTrace;
        return _audit(_context);
    }

    [Benchmark(Description = "audit+json-log")]
    public Task AuditWithAccessLog() => _auditLogged(_context);

    [Benchmark(Description = "promnet")]
    public Task PrometheusNet() => _prometheusNet(_context);

    private static RequestDelegate Build(IServiceProvider services, Action<IApplicationBuilder> middleware)
    {
        var app = new ApplicationBuilder(services);
        middleware(app);
        app.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return Task.CompletedTask;
        });
        return app.Build();
    }

    private ServiceProvider Services(ILoggerFactory loggerFactory)
    {
        var services = new ServiceCollection()
            .AddSingleton(loggerFactory)
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddSingleton<ServiceMetrics>()
            .AddSingleton<AccessLog>()
            .AddSingleton<SecurityEvents>()
            .BuildServiceProvider();
        _owned.Add(services);
        _owned.Add(loggerFactory);
        return services;
    }

    /// <summary>
    /// ASP.NET Core's JSON console logger at Information, its output thrown away: the console logger takes
    /// Console.Out when it is created, so swapping it for that moment sends every record to a null writer while
    /// BenchmarkDotNet keeps the real console.
    /// </summary>
    private static ILoggerFactory JsonConsoleToNowhere()
    {
        var console = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            return LoggerFactory.Create(logging => logging.AddJsonConsole().SetMinimumLevel(LogLevel.Information));
        }
        finally
        {
            Console.SetOut(console);
        }
    }
}
