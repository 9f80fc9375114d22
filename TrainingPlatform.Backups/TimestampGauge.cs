using System.Diagnostics.Metrics;

namespace TrainingPlatform.Backups;

/// <summary>
/// When something last happened, on /metrics as <c>…_timestamp_seconds</c> (unit "s"), in seconds since the epoch:
/// what the alerts subtract from <c>time()</c>. Absent until its first event, so no event yet is no series rather than
/// one in 1970.
/// </summary>
public sealed class TimestampGauge(Meter meter, string name, string description)
{
    private readonly Gauge<double> _gauge = meter.CreateGauge<double>(name, "s", description + ", in seconds since the epoch.");

    public void Record(DateTimeOffset at) => _gauge.Record(at.ToUnixTimeMilliseconds() / 1000.0);
}
