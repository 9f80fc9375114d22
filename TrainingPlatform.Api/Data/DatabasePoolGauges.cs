using System.Diagnostics.Metrics;

namespace TrainingPlatform.Api.Data;

/// <summary>
/// Npgsql's pool usage for this API's two pools as the meter <c>TrainingPlatform.Database</c>: <c>db.pool.connections</c>
/// (tags <c>pool</c> = <c>reads</c> | <c>writes</c> and <c>state</c> = <c>busy</c> | <c>idle</c>) and
/// <c>db.pool.max_connections</c> (tag <c>pool</c>), on /metrics as <c>db_pool_connections</c> and
/// <c>db_pool_max_connections</c>, where the saturation alert reads them pool by pool. Npgsql's own instruments are
/// read on demand through a <see cref="MeterListener"/>; only this instance's pools (by their names) are counted, so
/// other data sources in the process never inflate them.
/// </summary>
internal sealed class DatabasePoolGauges : IHostedService, IDisposable
{
    public const string MeterName = "TrainingPlatform.Database";

    /// <summary>The tag that tells the pools apart, and its values.</summary>
    public const string PoolTag = "pool";
    public const string ReadsPool = "reads";
    public const string WritesPool = "writes";

    private const string NpgsqlMeter = "Npgsql";
    private const string NpgsqlConnectionCount = "db.client.connection.count";
    private const string NpgsqlConnectionMax = "db.client.connection.max";
    private const string NpgsqlStateTag = "db.client.connection.state";
    private const string NpgsqlPoolNameTag = "db.client.connection.pool.name";

    private readonly Lock _gate = new();
    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, Usage> _usage;

    private sealed class Usage(string pool)
    {
        public string Pool { get; } = pool;
        public long Busy;
        public long Idle;
        public long Max;
    }

    public DatabasePoolGauges(IMeterFactory meterFactory, DatabaseServices.DatabasePools pools)
    {
        _usage = new Dictionary<string, Usage>
        {
            [pools.Reads] = new(ReadsPool),
            [pools.Writes] = new(WritesPool),
        };
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableGauge("db.pool.connections", ObserveConnections, "{connection}",
            "Connections in the API's Npgsql pools, by pool (reads or writes) and state (busy or idle).");
        _meter.CreateObservableGauge("db.pool.max_connections", ObserveMax, "{connection}",
            "The most connections each of the API's Npgsql pools may open.");

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == NpgsqlMeter && instrument.Name is NpgsqlConnectionCount or NpgsqlConnectionMax)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Accumulate(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Accumulate(instrument, value, tags));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _listener.Dispose();
        _meter.Dispose();
    }

    private IEnumerable<Measurement<long>> ObserveConnections() => Read().SelectMany(usage => new[]
    {
        new Measurement<long>(usage.Busy, Tag(usage), new KeyValuePair<string, object?>("state", "busy")),
        new Measurement<long>(usage.Idle, Tag(usage), new KeyValuePair<string, object?>("state", "idle")),
    });

    private IEnumerable<Measurement<long>> ObserveMax() => Read().Select(usage => new Measurement<long>(usage.Max, Tag(usage)));

    private static KeyValuePair<string, object?> Tag(Usage usage) => new(PoolTag, usage.Pool);

    private List<Usage> Read()
    {
        lock (_gate)
        {
            foreach (var usage in _usage.Values)
            {
                usage.Busy = usage.Idle = usage.Max = 0;
            }
            _listener.RecordObservableInstruments();
            return _usage.Values.Select(usage => new Usage(usage.Pool) { Busy = usage.Busy, Idle = usage.Idle, Max = usage.Max }).ToList();
        }
    }

    // Called synchronously from RecordObservableInstruments, under _gate.
    private void Accumulate(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (OwnPool(tags) is not { } usage)
        {
            return;
        }
        if (instrument.Name == NpgsqlConnectionMax)
        {
            usage.Max += value;
            return;
        }
        foreach (var tag in tags)
        {
            if (tag.Key == NpgsqlStateTag)
            {
                if (tag.Value as string == "used")
                {
                    usage.Busy += value;
                }
                else
                {
                    usage.Idle += value;
                }
            }
        }
    }

    private Usage? OwnPool(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == NpgsqlPoolNameTag)
            {
                return tag.Value is string name ? _usage.GetValueOrDefault(name) : null;
            }
        }
        return null;
    }
}
