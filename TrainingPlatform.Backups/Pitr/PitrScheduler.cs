namespace TrainingPlatform.Backups.Pitr;

/// <summary>
/// A full backup at once when the repository has none, then a full backup at every time of <c>Pitr:FullSchedule</c>
/// and a differential one at every other time of <c>Pitr:DiffSchedule</c>, each followed by <c>pgbackrest verify</c>.
/// </summary>
public sealed class PitrScheduler(PitrSettings settings, PitrJob job, TimeProvider clock, ILogger<PitrScheduler> log) : BackgroundService
{
    private static readonly TimeSpan LongestDelay = TimeSpan.FromDays(1);

    // A repository or server not reachable yet at start: tried again until a full backup exists (PitrFullBackupTooOld
    // pages if that takes an hour).
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!await job.EnsureFullBackupAsync(stopping))
        {
            await Task.Delay(RetryDelay, clock, stopping);
        }
        log.LogInformation("pgBackRest full backups on \"{Full}\", differential on \"{Diff}\" (UTC).", settings.Full.Expression, settings.Differential.Expression);
        while (!stopping.IsCancellationRequested)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var full = settings.Full.NextAfter(now);
            var diff = settings.Differential.NextAfter(now);
            var next = full <= diff ? full : diff;
            for (var wait = next - clock.GetUtcNow().UtcDateTime; wait > TimeSpan.Zero; wait = next - clock.GetUtcNow().UtcDateTime)
            {
                await Task.Delay(wait < LongestDelay ? wait : LongestDelay, clock, stopping);
            }
            // A time on both schedules takes the full backup.
            await job.BackupAsync(full <= diff ? "full" : "diff", "schedule", stopping);
        }
    }
}
