using System.Diagnostics;
using Prometheus;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// Trace-id exemplars for one latency series: from a slow bucket on a dashboard to the trace of a request that
/// landed in it. Only requests whose trace is being recorded get one, and each bucket takes at most one every
/// <see cref="Interval"/>, so a busy route costs a timestamp check per request and an exemplar now and then.
/// prometheus-net's own limit (<c>ExemplarBehavior.NewExemplarMinInterval</c>) is per series, not per bucket: the
/// fast requests of a route would keep its slow buckets, the ones worth a trace, from ever getting one.
/// </summary>
internal sealed class LatencyExemplars
{
    /// <summary>Prometheus keeps the newest exemplar per bucket per scrape; more often than a scrape would be lost anyway.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private static readonly Exemplar.LabelKey TraceId = Exemplar.Key("trace_id");
    private static readonly Exemplar.LabelKey SpanId = Exemplar.Key("span_id");
    private static readonly long IntervalMilliseconds = (long)Interval.TotalMilliseconds;

    // When each bucket (the +Inf one last) last took an exemplar, in Environment.TickCount64 milliseconds.
    private readonly long[] _lastTaken = new long[HttpMeasures.DurationBuckets.Length + 1];

    /// <summary>The exemplar for an observation of <paramref name="seconds"/>, or <see cref="Exemplar.None"/>.</summary>
    public Exemplar For(double seconds)
    {
        if (Activity.Current is not { Recorded: true } activity)
        {
            return Exemplar.None;
        }
        var bucket = Array.BinarySearch(HttpMeasures.DurationBuckets, seconds);
        bucket = bucket >= 0 ? bucket : ~bucket;
        var now = Environment.TickCount64;
        var last = Volatile.Read(ref _lastTaken[bucket]);
        if (last != 0 && now - last < IntervalMilliseconds)
        {
            return Exemplar.None;
        }
        // Two requests in the same instant may both take one; the histogram keeps the later, so no compare-and-swap.
        Volatile.Write(ref _lastTaken[bucket], now);
        return Exemplar.From(TraceId.WithValue(activity.TraceId.ToHexString()), SpanId.WithValue(activity.SpanId.ToHexString()));
    }
}
