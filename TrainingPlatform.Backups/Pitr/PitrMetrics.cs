using TrainingPlatform.ServiceDefaults;

namespace TrainingPlatform.Backups.Pitr;

/// <summary>
/// What ops/prometheus/rules/database.yml watches of the pgBackRest repository. The backup times are read from the
/// repository itself (<c>pgbackrest info</c>), so they survive a restart of this service; absent until known.
/// </summary>
public sealed class PitrMetrics
{
    public const string LastFullBackup = "pitr_last_full_backup_timestamp_seconds";
    public const string LastBackup = "pitr_last_backup_timestamp_seconds";
    public const string RunsTotal = "pitr_backup_runs_total";
    public const string FullScheduleInterval = "pitr_full_schedule_interval_seconds";
    public const string VerifyLastRun = "pitr_verify_last_run_timestamp_seconds";
    public const string VerifySuccess = "pitr_verify_success";

    public static readonly string[] Types = ["full", "diff"];

    private readonly ServiceCounter _runs;
    private readonly ServiceGauge _lastFull;
    private readonly ServiceGauge _last;
    private readonly ServiceGauge _verifyLastRun;
    private readonly ServiceGauge _verifySuccess;

    public PitrMetrics(ServiceMetrics prometheus, PitrSettings settings)
    {
        _runs = prometheus.Counter(RunsTotal, "pgBackRest backups by type (full, diff) and result (success, failure).", "type", "result");
        foreach (var type in Types)
        {
            _runs.Publish(type, "success");
            _runs.Publish(type, "failure");
        }
        _lastFull = prometheus.Gauge(LastFullBackup, "When the newest full backup in the pgBackRest repository ended, in seconds since the epoch.");
        _last = prometheus.Gauge(LastBackup, "When the newest backup (full or differential) in the pgBackRest repository ended, in seconds since the epoch.");
        _verifyLastRun = prometheus.Gauge(VerifyLastRun, "When pgbackrest verify last ran, in seconds since the epoch.");
        _verifySuccess = prometheus.Gauge(VerifySuccess, "1 when the last pgbackrest verify found the repository's backups and WAL intact, 0 otherwise.");
        var interval = settings.Full.Interval.TotalSeconds;
        prometheus.ObserveGauge(FullScheduleInterval, "The longest wait between two scheduled full backups (Pitr:FullSchedule), in seconds.", () => interval);
    }

    public void Ran(string type, bool succeeded) => _runs.Inc(type, succeeded ? "success" : "failure");

    public void Repository(DateTimeOffset? lastFull, DateTimeOffset? last)
    {
        if (lastFull is { } full)
        {
            _lastFull.Set(full.ToUnixTimeSeconds());
        }
        if (last is { } any)
        {
            _last.Set(any.ToUnixTimeSeconds());
        }
    }

    public void Verified(DateTimeOffset at, bool succeeded)
    {
        _verifySuccess.Set(succeeded ? 1 : 0);
        _verifyLastRun.Set(at.ToUnixTimeSeconds());
    }
}
