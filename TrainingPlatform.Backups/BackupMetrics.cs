using System.Diagnostics.Metrics;

namespace TrainingPlatform.Backups;

/// <summary>
/// What ops/prometheus/rules/backup-alerts.yml watches: the meter <c>TrainingPlatform.Backups</c>, on /metrics as
/// <c>backup_*</c> (<see cref="TrainingPlatform.ServiceDefaults.ServiceMetrics"/> exports it, each instrument under
/// OpenTelemetry's Prometheus name: "backup.runs" is <c>backup_runs_total</c>, a timestamp in "s" ends in
/// <c>_seconds</c>, a size in "By" in <c>_bytes</c>). The timestamps are absent until their first event
/// (<see cref="TimestampGauge"/>); both results of <c>backup_runs_total</c> exist from the start at 0.
/// </summary>
public sealed class BackupMetrics
{
    /// <summary>The service's one meter, shared with <see cref="Pitr.PitrMetrics"/>.</summary>
    public const string MeterName = "TrainingPlatform.Backups";

    private static readonly KeyValuePair<string, object?> Success = new("result", "success");
    private static readonly KeyValuePair<string, object?> Failure = new("result", "failure");

    private readonly Counter<long> _runs;
    private readonly TimestampGauge _lastSuccess;
    private readonly TimestampGauge _lastFailure;
    private readonly Gauge<long> _lastSize;
    private readonly Gauge<double> _lastDuration;

    public BackupMetrics(IMeterFactory meters, BackupSchedule schedule)
    {
        var meter = meters.Create(MeterName);
        _runs = meter.CreateCounter<long>("backup.runs", description: "Backup runs by result: success (stored and verified) or failure.");
        _runs.Add(0, Success);
        _runs.Add(0, Failure);
        _lastSuccess = new(meter, "backup.last_success_timestamp", "When the last successful backup finished");
        _lastFailure = new(meter, "backup.last_failure_timestamp", "When the last failed backup run ended");
        _lastSize = meter.CreateGauge<long>("backup.last_size", "By", "Size of the last successful backup as stored (compressed, encrypted when a key is set), in bytes.");
        _lastDuration = meter.CreateGauge<double>("backup.last_duration", "s", "How long the last successful backup run took, in seconds.");
        var interval = schedule.Interval.TotalSeconds;
        meter.CreateObservableGauge("backup.schedule_interval", () => interval, "s", "The longest wait between two scheduled backups (Backup:Schedule), in seconds.");
    }

    public void Succeeded(DateTimeOffset finished, long sizeBytes, TimeSpan duration)
    {
        _lastSize.Record(sizeBytes);
        _lastDuration.Record(duration.TotalSeconds);
        _lastSuccess.Record(finished);
        _runs.Add(1, Success);
    }

    public void Failed(DateTimeOffset finished)
    {
        _lastFailure.Record(finished);
        _runs.Add(1, Failure);
    }
}
