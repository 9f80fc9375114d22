using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http.Metadata;
using Prometheus;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// The service's Prometheus registry and its text exposition: the HTTP series, security events, the access log's
/// drops and process gauges, which ServiceDefaults records here itself, and every instrument the features create
/// through <c>System.Diagnostics.Metrics</c> (<see cref="MeterExport"/>). Features never see prometheus-net.
/// </summary>
/// <remarks>
/// Each application owns its registry, so two hosts in one process (tests) never see each other's counts. The
/// process-wide default registry is never collected, so prometheus-net's default metrics (which would record
/// ASP.NET Core's meters a second time) never start and need no process-wide switch.
/// Label children are cached per endpoint, method and status: after warm-up a request costs dictionary
/// lookups and atomic increments, with no allocation. The request series are recorded here rather than through a
/// Meter because that is the one path taken on every request (ops/docs/performance.md, "One instrument API").
/// </remarks>
public sealed class ServiceMetrics : IDisposable
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", HttpMeasures.OtherMethod];

    private const string OpenMetricsType = "application/openmetrics-text";

    /// <summary>Stands in for "no endpoint" in cache keys.</summary>
    private static readonly object NoEndpoint = new();

    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly Histogram _duration;
    private readonly Counter _requests;
    private readonly Counter _serverErrors;
    private readonly Counter _securityEvents;
    private readonly Counter _accessLogDropped;
    private readonly ConcurrentDictionary<(object Endpoint, int Method, int Status), RequestSeries> _series = new();
    private readonly ConcurrentDictionary<(object Endpoint, string Reason), Counter.Child> _securitySeries = new();
    private long _requestsInFlight;
    private long _scrapesInFlight;
    private readonly IMetricFactory _factory;
    private MeterExport? _export;

    /// <summary>
    /// Configuration key: when true, every series carries <c>service_instance_id</c> (the host name, which is the
    /// replica's in a container platform), so replicas scraped through one load-balanced address never share a series.
    /// </summary>
    public const string InstanceLabelKey = "Metrics:InstanceLabel";

    public ServiceMetrics(string? instanceId = null)
    {
        if (instanceId is not null)
        {
            _registry.SetStaticLabels(new Dictionary<string, string> { ["service_instance_id"] = instanceId });
        }
        var factory = _factory = Metrics.WithCustomRegistry(_registry);
        // prometheus-net would otherwise build a trace-context exemplar for every observation of every metric;
        // only the latency histogram gets them, sampled by LatencyExemplars.
        factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = null };
        _duration = factory.CreateHistogram(HttpMeasures.RequestDuration, "Time to serve an HTTP request, in seconds.",
            HttpMeasures.RequestLabels, new HistogramConfiguration { Buckets = HttpMeasures.DurationBuckets });
        _requests = factory.CreateCounter(HttpMeasures.RequestsTotal, "HTTP requests served.", HttpMeasures.RequestLabels);
        _serverErrors = factory.CreateCounter(HttpMeasures.ServerErrorsTotal, "HTTP requests answered with a 5xx status.", HttpMeasures.RequestLabels);
        var inFlight = factory.CreateGauge(HttpMeasures.RequestsInFlight, "HTTP requests being served now.");
        // A scrape is in flight while it collects; it reports the other requests only.
        _registry.AddBeforeCollectCallback(() => inFlight.Set(Interlocked.Read(ref _requestsInFlight) - Interlocked.Read(ref _scrapesInFlight)));
        _securityEvents = factory.CreateCounter(HttpMeasures.SecurityEventsTotal,
            "Requests worth a security review (401, 403, 429, 4xx on sensitive paths), by reason.", HttpMeasures.SecurityEventLabels);
        _accessLogDropped = factory.CreateCounter(HttpMeasures.AccessLogDroppedTotal,
            "Access log records dropped because the console could not keep up (the requests were served).");

        // prometheus-net's process collectors, plus the conventional resident-memory name dashboards expect.
        DotNetStats.Register(_registry);
        var resident = factory.CreateGauge("process_resident_memory_bytes", "Resident memory size in bytes.");
        _registry.AddBeforeCollectCallback(() => resident.Set(Environment.WorkingSet));
    }

    public void RequestStarted() => Interlocked.Increment(ref _requestsInFlight);

    public void RequestEnded() => Interlocked.Decrement(ref _requestsInFlight);

    /// <summary>One observation of a served request, unless its endpoint opted out of HTTP metrics (the scrape itself).</summary>
    public void Observe(Endpoint? endpoint, string method, int status, TimeSpan elapsed)
    {
        var key = (endpoint ?? NoEndpoint, MethodIndex(method), status);
        if (!_series.TryGetValue(key, out var series))
        {
            series = _series.GetOrAdd(key, static (k, self) => self.CreateSeries(k), this);
        }
        var seconds = elapsed.TotalSeconds;
        series.Duration?.Observe(seconds, series.Exemplars?.For(seconds) ?? Exemplar.None);
        series.Requests?.Inc();
        series.ServerErrors?.Inc();
    }

    public void AccessLogDropped() => _accessLogDropped.Inc();

    internal void SecurityEvent(Endpoint? endpoint, string reason)
    {
        var key = (endpoint ?? NoEndpoint, reason);
        if (!_securitySeries.TryGetValue(key, out var child))
        {
            child = _securitySeries.GetOrAdd(key, static (k, self) =>
                self._securityEvents.WithLabels(k.Reason, PathTemplate.Of(k.Endpoint as Endpoint)), this);
        }
        child.Inc();
    }

    /// <summary>
    /// Exports the instruments the service's features create through <paramref name="meters"/> (meters named
    /// <see cref="MeterExport.MeterPrefix"/>…) on this registry, from now on. Called once, as the host makes its meter factory.
    /// </summary>
    public void Export(IMeterFactory meters) => _export = new MeterExport(_registry, _factory, meters);

    public void Dispose() => _export?.Dispose();

    /// <summary>
    /// Serves a scrape: every series in the Prometheus text format, or in OpenMetrics (which alone carries exemplars)
    /// when the scraper accepts it, as Prometheus does. Only the metrics endpoint calls this, so "is this a scrape?"
    /// is answered by the endpoint alone: its request series are off (<see cref="IDisableHttpMetricsMetadata"/>), it
    /// is left out of the in-flight gauge here, and its trace is dropped here.
    /// </summary>
    public async Task WriteAsync(HttpResponse response)
    {
        if (Activity.Current is { } trace)
        {
            trace.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
        var openMetrics = response.HttpContext.Request.Headers.Accept.Any(accept => accept?.Contains(OpenMetricsType, StringComparison.OrdinalIgnoreCase) == true);
        response.ContentType = openMetrics ? OpenMetricsType + "; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8";
        Interlocked.Increment(ref _scrapesInFlight);
        try
        {
            await _registry.CollectAndExportAsTextAsync(response.Body,
                openMetrics ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText, response.HttpContext.RequestAborted);
        }
        finally
        {
            Interlocked.Decrement(ref _scrapesInFlight);
        }
    }

    private RequestSeries CreateSeries((object Endpoint, int Method, int Status) key)
    {
        if (key.Endpoint is Endpoint endpoint && endpoint.Metadata.GetMetadata<IDisableHttpMetricsMetadata>() is not null)
        {
            return new RequestSeries(null, null, null, null);
        }
        string[] labels = [Methods[key.Method], PathTemplate.Of(key.Endpoint as Endpoint), key.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        return new RequestSeries(
            _duration.WithLabels(labels),
            new LatencyExemplars(),
            _requests.WithLabels(labels),
            key.Status >= 500 ? _serverErrors.WithLabels(labels) : null);
    }

    /// <summary>Known methods arrive as interned constants from Kestrel, so these comparisons are cheap.</summary>
    private static int MethodIndex(string method)
    {
        for (var i = 0; i < Methods.Length - 1; i++)
        {
            if (string.Equals(method, Methods[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return Methods.Length - 1;
    }

    /// <summary>The children one kind of request updates; all null for endpoints that are not measured.</summary>
    private sealed record RequestSeries(Histogram.Child? Duration, LatencyExemplars? Exemplars, Counter.Child? Requests, Counter.Child? ServerErrors);
}
