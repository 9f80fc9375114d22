using Cronos;

namespace TrainingPlatform.Backups;

/// <summary>
/// When backups run: a five-field cron expression in UTC (<c>Backup:Schedule</c>). <see cref="Interval"/> is the
/// longest wait between two consecutive runs, from which the BackupTooOld alert and the RPO follow.
/// </summary>
public sealed class BackupSchedule
{
    public const string Key = "Backup:Schedule";

    // Enough to see every gap of a schedule that repeats within a year (monthly: 13; every minute: 1000 minutes).
    private const int SampledRuns = 1000;
    private static readonly TimeSpan SampledSpan = TimeSpan.FromDays(400);

    private readonly CronExpression _cron;

    private readonly string _key;

    private BackupSchedule(string key, string expression, CronExpression cron)
    {
        _key = key;
        Expression = expression;
        _cron = cron;
        Interval = LongestGap();
    }

    public string Expression { get; }

    public TimeSpan Interval { get; }

    /// <summary>The schedule at <paramref name="key"/> in <paramref name="configuration"/>; a missing or invalid one stops the service with the fix.</summary>
    public static BackupSchedule From(IConfiguration configuration, string key = Key)
    {
        var expression = configuration[key];
        if (string.IsNullOrWhiteSpace(expression))
        {
            throw new InvalidOperationException(
                $"{key} is not set: give a cron expression in UTC (minute hour day-of-month month day-of-week), e.g. \"0 2 * * *\" for 02:00 every night.");
        }
        CronExpression cron;
        try
        {
            cron = CronExpression.Parse(expression);
        }
        catch (CronFormatException e)
        {
            throw new InvalidOperationException(
                $"{key} \"{expression}\" is not a cron expression ({e.Message}): give five fields in UTC (minute hour day-of-month month day-of-week), e.g. \"0 2 * * *\".", e);
        }
        return new BackupSchedule(key, expression, cron);
    }

    /// <summary>The first run after <paramref name="now"/> (UTC).</summary>
    public DateTime NextAfter(DateTime now) =>
        _cron.GetNextOccurrence(now, TimeZoneInfo.Utc) ?? throw new InvalidOperationException($"{_key} \"{Expression}\" never runs again.");

    private TimeSpan LongestGap()
    {
        var from = DateTime.UtcNow;
        var runs = _cron.GetOccurrences(from, from + SampledSpan, TimeZoneInfo.Utc).Take(SampledRuns).ToList();
        if (runs.Count < 2)
        {
            throw new InvalidOperationException(
                $"{_key} \"{Expression}\" runs less than twice in the next {SampledSpan.TotalDays:0} days: back up at least monthly.");
        }
        return runs.Zip(runs.Skip(1), (earlier, later) => later - earlier).Max();
    }
}
