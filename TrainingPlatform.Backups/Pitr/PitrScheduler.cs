namespace TrainingPlatform.Backups.Pitr;

/// <summary>
/// A full backup at once when the repository has none, then a full backup at every time of <c>Pitr:FullSchedule</c>
/// and a differential one at every other time of <c>Pitr:DiffSchedule</c>, each followed by <c>pgbackrest verify</c>.
/// Where the server's image takes the backups (<c>Pitr:TakesBackups</c> false), the repository is read and verified only.
/// </summary>
public sealed class PitrScheduler(PitrSettings settings, PitrJob job, TimeProvider clock, ILogger<PitrScheduler> log) : BackgroundService
{
    private static readonly TimeSpan LongestDelay = TimeSpan.FromDays(1);

    // A repository or server not reachable yet at start: tried again until a full backup exists (PitrFullBackupTooOld
    // pages if that takes an hour).
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);

    // Where the server takes its backups, how soon a new one shows in the metrics (PitrFullBackupTooOld allows an hour).
    private static readonly TimeSpan RepositoryReadInterval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (!settings.TakesBackups)
        {
            await WatchAsync(stopping);
            return;
        }
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

    /// <summary>The server's image takes the backups: the repository read every few minutes, verified at start and at each scheduled time.</summary>
    private async Task WatchAsync(CancellationToken stopping)
    {
        log.LogInformation("pgBackRest backups are the server's own (\"{Full}\", \"{Diff}\" UTC): reading the repository every {Interval} min, verifying it at those times.",
            settings.Full.Expression, settings.Differential.Expression, RepositoryReadInterval.TotalMinutes);
        var verify = true;
        while (!stopping.IsCancellationRequested)
        {
            await job.WatchAsync(verify, stopping);
            var now = clock.GetUtcNow().UtcDateTime;
            var full = settings.Full.NextAfter(now);
            var diff = settings.Differential.NextAfter(now);
            var scheduled = full <= diff ? full : diff;
            var wait = scheduled - now;
            verify = wait <= RepositoryReadInterval;
            await Task.Delay(verify ? wait : RepositoryReadInterval, clock, stopping);
        }
    }
}
