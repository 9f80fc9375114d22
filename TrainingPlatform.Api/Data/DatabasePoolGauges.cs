using System.Diagnostics.Metrics;

namespace TrainingPlatform.Api.Data;

/// <summary>
/// Npgsql's pool usage for this API's pool as the meter <c>TrainingPlatform.Database</c>: <c>db.pool.connections</c>
/// (tag <c>state</c> = <c>busy</c> | <c>idle</c>) and <c>db.pool.max_connections</c>, on /metrics as
/// <c>db_pool_connections</c> and <c>db_pool_max_connections</c>, where the saturation alert reads them. Npgsql's own
/// instruments are read on demand through a <see cref="MeterListener"/>; only this instance's pool (by its name) is
/// counted, so other data sources in the process never inflate it.
/// </summary>
internal sealed class DatabasePoolGauges : IHostedService, IDisposable
{
    public const string MeterName = "TrainingPlatform.Database";

    private const string NpgsqlMeter = "Npgsql";
    private const string NpgsqlConnectionCount = "db.client.connection.count";
    private const string NpgsqlConnectionMax = "db.client.connection.max";
    private const string NpgsqlStateTag = "db.client.connection.state";
    private const string NpgsqlPoolNameTag = "db.client.connection.pool.name";

    private readonly Lock _gate = new();
    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private long _busy;
    private long _idle;
    private long _max;
    private readonly string _poolName;

    public DatabasePoolGauges(IMeterFactory meterFactory, DatabaseServices.DatabasePool pool)
    {
        _poolName = pool.Name;
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableGauge("db.pool.connections", ObserveConnections, "{connection}",
            "Connections in the API's Npgsql pools, by state (busy or idle).");
        _meter.CreateObservableGauge("db.pool.max_connections", () => Read().Max, "{connection}",
            "The most connections the API's Npgsql pools may open.");

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

    private IEnumerable<Measurement<long>> ObserveConnections()
    {
        var (busy, idle, _) = Read();
        return
        [
            new Measurement<long>(busy, new KeyValuePair<string, object?>("state", "busy")),
            new Measurement<long>(idle, new KeyValuePair<string, object?>("state", "idle")),
        ];
    }

    private (long Busy, long Idle, long Max) Read()
    {
        lock (_gate)
        {
            _busy = _idle = _max = 0;
            _listener.RecordObservableInstruments();
            return (_busy, _idle, _max);
        }
    }

    // Called synchronously from RecordObservableInstruments, under _gate.
    private void Accumulate(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!IsOwnPool(tags))
        {
            return;
        }
        if (instrument.Name == NpgsqlConnectionMax)
        {
            _max += value;
            return;
        }
        foreach (var tag in tags)
        {
            if (tag.Key == NpgsqlStateTag)
            {
                if (tag.Value as string == "used")
                {
                    _busy += value;
                }
                else
                {
                    _idle += value;
                }
            }
        }
    }

    private bool IsOwnPool(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == NpgsqlPoolNameTag)
            {
                return tag.Value as string == _poolName;
            }
        }
        return false;
    }
}
