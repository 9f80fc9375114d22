using System.Diagnostics;
using System.Diagnostics.Metrics;

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

    private readonly Counter<long> _runs;
    private readonly Gauge<double> _lastFull;
    private readonly Gauge<double> _last;
    private readonly Gauge<double> _verifyLastRun;
    private readonly Gauge<int> _verifySuccess;

    // Names on /metrics follow OpenTelemetry's Prometheus rule (ServiceMetrics exports the meter): "pitr.backup.runs"
    // is pitr_backup_runs_total, a timestamp in "s" ends in _seconds.
    public PitrMetrics(IMeterFactory meters, PitrSettings settings)
    {
        var meter = meters.Create(BackupMetrics.MeterName);
        _runs = meter.CreateCounter<long>("pitr.backup.runs", description: "pgBackRest backups by type (full, diff) and result (success, failure).");
        foreach (var type in Types)
        {
            _runs.Add(0, Tags(type, "success"));
            _runs.Add(0, Tags(type, "failure"));
        }
        _lastFull = meter.CreateGauge<double>("pitr.last_full_backup_timestamp", "s", "When the newest full backup in the pgBackRest repository ended, in seconds since the epoch.");
        _last = meter.CreateGauge<double>("pitr.last_backup_timestamp", "s", "When the newest backup (full or differential) in the pgBackRest repository ended, in seconds since the epoch.");
        _verifyLastRun = meter.CreateGauge<double>("pitr.verify.last_run_timestamp", "s", "When pgbackrest verify last ran, in seconds since the epoch.");
        _verifySuccess = meter.CreateGauge<int>("pitr.verify.success", description: "1 when the last pgbackrest verify found the repository's backups and WAL intact, 0 otherwise.");
        var interval = settings.Full.Interval.TotalSeconds;
        meter.CreateObservableGauge("pitr.full_schedule_interval", () => interval, "s", "The longest wait between two scheduled full backups (Pitr:FullSchedule), in seconds.");
    }

    public void Ran(string type, bool succeeded) => _runs.Add(1, Tags(type, succeeded ? "success" : "failure"));

    public void Repository(DateTimeOffset? lastFull, DateTimeOffset? last)
    {
        if (lastFull is { } full)
        {
            _lastFull.Record(full.ToUnixTimeSeconds());
        }
        if (last is { } any)
        {
            _last.Record(any.ToUnixTimeSeconds());
        }
    }

    public void Verified(DateTimeOffset at, bool succeeded)
    {
        _verifySuccess.Record(succeeded ? 1 : 0);
        _verifyLastRun.Record(at.ToUnixTimeSeconds());
    }

    private static TagList Tags(string type, string result) => new() { { "type", type }, { "result", result } };
}
