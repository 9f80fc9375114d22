using System.Diagnostics.Metrics;
using System.Globalization;
using Prometheus;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// Puts the instruments of the host's own meters (<c>TrainingPlatform.</c>…, made through its
/// <see cref="IMeterFactory"/>, so two hosts in one process never mix) on /metrics. Features record through
/// <c>System.Diagnostics.Metrics</c> only; OpenTelemetry reads the same instruments for the dashboard.
/// </summary>
/// <remarks>
/// Names follow OpenTelemetry's Prometheus convention: dots become underscores, unit <c>s</c> adds <c>_seconds</c>
/// and <c>By</c> <c>_bytes</c>, a counter adds <c>_total</c> (<c>emails.sent</c> → <c>emails_sent_total</c>); the
/// description is the HELP line, the tags are the labels. A series appears with its first measurement: a counter
/// that an alert watches is published at 0 by adding 0. A synchronous <see cref="Gauge{T}"/> is absent until it is
/// first recorded; observable gauges are read at every scrape. prometheus-net's own meter adapter is not used: it
/// prefixes the meter's name and forgets series that stay unchanged for a while, which an alert on a counter's
/// increase cannot afford.
/// </remarks>
internal sealed class MeterExport : IDisposable
{
    public const string MeterPrefix = "TrainingPlatform";

    private readonly MeterListener _listener = new();

    /// <summary>Exports into <paramref name="registry"/> through <paramref name="factory"/>, which must make metrics there.</summary>
    public MeterExport(CollectorRegistry registry, IMetricFactory factory, IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && IsServiceMeter(instrument.Meter.Name))
            {
                listener.EnableMeasurementEvents(instrument, new Exported(instrument, factory));
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((Exported)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((Exported)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((Exported)state!).Record(value, tags));
        _listener.Start();
        registry.AddBeforeCollectCallback(_listener.RecordObservableInstruments);
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>As OpenTelemetry's <c>AddMeter("TrainingPlatform.*")</c> reads it.</summary>
    internal static bool IsServiceMeter(string name) => name.StartsWith(MeterPrefix + ".", StringComparison.Ordinal);

    internal static string PrometheusName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        name += instrument.Unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            _ => "",
        };
        return Kind(instrument) == InstrumentKind.Counter ? name + "_total" : name;
    }

    private static InstrumentKind Kind(Instrument instrument) => instrument.GetType().GetGenericTypeDefinition() switch
    {
        var type when type == typeof(Counter<>) => InstrumentKind.Counter,
        var type when type == typeof(Gauge<>) => InstrumentKind.Gauge,
        var type when type == typeof(ObservableGauge<>) || type == typeof(ObservableUpDownCounter<>) => InstrumentKind.ObservedGauge,
        var type => throw new NotSupportedException(
            $"{instrument.Meter.Name}/{instrument.Name}: a {type.Name} is not exported on /metrics (counters, gauges and observable gauges are)."),
    };

    private enum InstrumentKind
    {
        Counter,
        Gauge,
        ObservedGauge,
    }

    /// <summary>One instrument's Prometheus metric, made at its first measurement, when its label names are known.</summary>
    private sealed class Exported(Instrument instrument, IMetricFactory factory)
    {
        private readonly InstrumentKind _kind = Kind(instrument);
        private readonly string _name = PrometheusName(instrument);
        private readonly Lock _gate = new();
        private Made? _made;

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var (labels, metric) = _made ?? Make(tags);
            var values = new string[labels.Length];
            for (var i = 0; i < labels.Length; i++)
            {
                values[i] = ValueOf(labels[i], tags);
            }
            switch (metric)
            {
                case Counter counter:
                    (values.Length == 0 ? (ICounter)counter : counter.WithLabels(values)).Inc(value);
                    break;
                case Gauge gauge:
                    (values.Length == 0 ? (IGauge)gauge : gauge.WithLabels(values)).Set(value);
                    break;
            }
        }

        private Made Make(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string[] labels = [.. tags.ToArray().Select(tag => tag.Key)];
            lock (_gate)
            {
                return _made ??= new Made(labels, _kind switch
                {
                    InstrumentKind.Counter => factory.CreateCounter(_name, instrument.Description ?? "", labels),
                    _ => factory.CreateGauge(_name, instrument.Description ?? "", labels, new GaugeConfiguration
                    {
                        // A gauge recorded by events ("when the last backup finished") is no series before the first one.
                        SuppressInitialValue = _kind == InstrumentKind.Gauge,
                    }),
                });
            }
        }

        /// <summary>A reference, so a reader outside the lock sees all of it or nothing.</summary>
        private sealed record Made(string[] Labels, Collector Metric);

        private static string ValueOf(string label, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == label)
                {
                    return tag.Value as string ?? Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
                }
            }
            return "";
        }
    }
}
