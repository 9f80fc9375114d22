namespace TrainingPlatform.Backups;

/// <summary>
/// <c>POST /backups</c>: a run now, with the schedule's settings (the dashboard's "Back up now"). 200 with the
/// script's JSON report, 409 while another run is going, 500 with the script's error when the run fails.
/// </summary>
public static class BackupsApi
{
    public const string Path = "/backups";

    public static void AddBackups(this WebApplicationBuilder builder)
    {
        // Read now, so a bad schedule, database or target stops the service before it claims to be healthy.
        builder.Services.AddSingleton(BackupSchedule.From(builder.Configuration));
        builder.Services.AddSingleton(BackupJobSettings.From(builder.Configuration));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<BackupMetrics>();
        builder.Services.AddSingleton<BackupJob>();
        builder.Services.AddHostedService<BackupScheduler>();
        // Point-in-time recovery's physical backups, when the stack's server archives its WAL (Pitr/).
        if (Pitr.PitrSettings.From(builder.Configuration) is { } pitr)
        {
            builder.Services.AddSingleton(pitr);
            builder.Services.AddSingleton<Pitr.PitrMetrics>();
            builder.Services.AddSingleton<Pitr.PitrJob>();
            builder.Services.AddHostedService<Pitr.PitrScheduler>();
        }
    }

    public static void MapBackupsApi(this WebApplication app)
    {
        // The registry's series exist from the start, before the first run.
        app.Services.GetRequiredService<BackupMetrics>();
        app.Services.GetService<Pitr.PitrMetrics>();
        app.MapPost(Path, RunNowAsync);
    }

    private static async Task<IResult> RunNowAsync(BackupJob job, CancellationToken cancellation)
    {
        var outcome = await job.TryRunAsync("on demand", cancellation);
        return outcome switch
        {
            null => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "A backup is already running",
                detail: "Runs never overlap: wait for it to end (its result is in the backups log and on /metrics)."),
            { Succeeded: true, Report: { } report } => Results.Json(report),
            _ => Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "The backup failed", detail: outcome.Error),
        };
    }
}
