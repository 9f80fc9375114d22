using TrainingPlatform.Backups;

// The backup service: ops/scripts/backup.sh on a cron schedule (Backup:Schedule, UTC), and on demand through
// POST /backups (the dashboard's "Back up now"); one run at a time, each one counted on /metrics.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddBackups();

var app = builder.Build();

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapBackupsApi();

await app.RunAsync();
