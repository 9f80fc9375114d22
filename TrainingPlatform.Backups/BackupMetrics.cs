using TrainingPlatform.ServiceDefaults;

namespace TrainingPlatform.Backups;

/// <summary>
/// What ops/prometheus/rules/backup-alerts.yml watches, in the service's Prometheus registry. The timestamps are
/// absent until their first event (no backup yet is no series, not a backup in 1970); both results of
/// <c>backup_runs_total</c> exist from the start at 0.
/// </summary>
public sealed class BackupMetrics
{
    public const string LastSuccess = "backup_last_success_timestamp_seconds";
    public const string LastFailure = "backup_last_failure_timestamp_seconds";
    public const string RunsTotal = "backup_runs_total";
    public const string LastSize = "backup_last_size_bytes";
    public const string LastDuration = "backup_last_duration_seconds";
    public const string ScheduleInterval = "backup_schedule_interval_seconds";

    private const string Success = "success";
    private const string Failure = "failure";

    private readonly ServiceCounter _runs;
    private readonly ServiceGauge _lastSuccess;
    private readonly ServiceGauge _lastFailure;
    private readonly ServiceGauge _lastSize;
    private readonly ServiceGauge _lastDuration;

    public BackupMetrics(ServiceMetrics prometheus, BackupSchedule schedule)
    {
        _runs = prometheus.Counter(RunsTotal, "Backup runs by result: success (stored and verified) or failure.", "result");
        _runs.Publish(Success);
        _runs.Publish(Failure);
        _lastSuccess = prometheus.Gauge(LastSuccess, "When the last successful backup finished, in seconds since the epoch.");
        _lastFailure = prometheus.Gauge(LastFailure, "When the last failed backup run ended, in seconds since the epoch.");
        _lastSize = prometheus.Gauge(LastSize, "Size of the last successful backup as stored (compressed, encrypted when a key is set), in bytes.");
        _lastDuration = prometheus.Gauge(LastDuration, "How long the last successful backup run took, in seconds.");
        var interval = schedule.Interval.TotalSeconds;
        prometheus.ObserveGauge(ScheduleInterval, "The longest wait between two scheduled backups (Backup:Schedule), in seconds.", () => interval);
    }

    public void Succeeded(DateTimeOffset finished, long sizeBytes, TimeSpan duration)
    {
        _lastSize.Set(sizeBytes);
        _lastDuration.Set(duration.TotalSeconds);
        _lastSuccess.Set(finished.ToUnixTimeMilliseconds() / 1000.0);
        _runs.Inc(Success);
    }

    public void Failed(DateTimeOffset finished)
    {
        _lastFailure.Set(finished.ToUnixTimeMilliseconds() / 1000.0);
        _runs.Inc(Failure);
    }
}
