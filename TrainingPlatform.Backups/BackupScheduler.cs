namespace TrainingPlatform.Backups;

/// <summary>Starts a run at every time of <see cref="BackupSchedule"/>; a time reached while a run is going is skipped.</summary>
public sealed class BackupScheduler(BackupSchedule schedule, BackupJob job, TimeProvider clock, ILogger<BackupScheduler> log) : BackgroundService
{
    // Task.Delay takes at most ~49 days; a longer wait is taken in steps.
    private static readonly TimeSpan LongestDelay = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        log.LogInformation("Backups run on the schedule \"{Schedule}\" (UTC), at most {Interval} apart.", schedule.Expression, schedule.Interval);
        while (!stopping.IsCancellationRequested)
        {
            var next = schedule.NextAfter(clock.GetUtcNow().UtcDateTime);
            log.LogInformation("Next backup at {Next:u}.", next);
            for (var wait = next - clock.GetUtcNow().UtcDateTime; wait > TimeSpan.Zero; wait = next - clock.GetUtcNow().UtcDateTime)
            {
                await Task.Delay(wait < LongestDelay ? wait : LongestDelay, clock, stopping);
            }
            await job.TryRunAsync("schedule", stopping);
        }
    }
}
