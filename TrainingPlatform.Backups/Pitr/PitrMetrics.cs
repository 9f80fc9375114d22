using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TrainingPlatform.Backups.Pitr;

/// <summary>
/// What ops/prometheus/rules/database.yml watches of the pgBackRest repository. The backup times are read from the
/// repository itself (<c>pgbackrest info</c>), so they survive a restart of this service; absent until known.
/// </summary>
public sealed class PitrMetrics
{
    public static readonly string[] Types = ["full", "diff"];

    private readonly Counter<long> _runs;
    private readonly TimestampGauge _lastFull;
    private readonly TimestampGauge _last;
    private readonly TimestampGauge _verifyLastRun;
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
        _lastFull = new(meter, "pitr.last_full_backup_timestamp", "When the newest full backup in the pgBackRest repository ended");
        _last = new(meter, "pitr.last_backup_timestamp", "When the newest backup (full or differential) in the pgBackRest repository ended");
        _verifyLastRun = new(meter, "pitr.verify.last_run_timestamp", "When pgbackrest verify last ran");
        _verifySuccess = meter.CreateGauge<int>("pitr.verify.success", description: "1 when the last pgbackrest verify found the repository's backups and WAL intact, 0 otherwise.");
        var interval = settings.Full.Interval.TotalSeconds;
        meter.CreateObservableGauge("pitr.full_schedule_interval", () => interval, "s", "The longest wait between two scheduled full backups (Pitr:FullSchedule), in seconds.");
    }

    public void Ran(string type, bool succeeded) => _runs.Add(1, Tags(type, succeeded ? "success" : "failure"));

    public void Repository(DateTimeOffset? lastFull, DateTimeOffset? last)
    {
        if (lastFull is { } full)
        {
            _lastFull.Record(full);
        }
        if (last is { } any)
        {
            _last.Record(any);
        }
    }

    public void Verified(DateTimeOffset at, bool succeeded)
    {
        _verifySuccess.Record(succeeded ? 1 : 0);
        _verifyLastRun.Record(at);
    }

    private static TagList Tags(string type, string result) => new() { { "type", type }, { "result", result } };
}
