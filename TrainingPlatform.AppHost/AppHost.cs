using TrainingPlatform.LocalStack;
using TrainingPlatform.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var stack = StackSettings.From(builder);
StackLog.ModeChosen(stack);
var local = stack.Mode.Mode == StackMode.Local;

// PostgreSQL, archiving its WAL for point-in-time recovery (Postgres.cs).
var training = builder.AddTrainingDatabase(stack, "training");
// Backups on the schedule "backup-schedule" and on the dashboard's "Back up now" (resource "backups").
var backups = builder.AddBackups(stack, training);

// Rate limits shared by every replica (connection string "cache"), and apart the course list's output cache
// ("output-cache"), which anonymous clients fill: it evicts, the limits' store never does.
var cache = local ? builder.AddLocalCache(stack, CacheServers.Limits) : builder.AddContainerCache(CacheServers.Limits);
var pages = local ? builder.AddLocalCache(stack, CacheServers.Pages) : builder.AddContainerCache(CacheServers.Pages);

var api = builder.AddApiReplicas(stack, training, cache, pages);

// Clients reach the replicas through an ingress on the API's port, as they reach the Container Apps ingress when
// deployed (where the platform provides it).
var publicEndpoint = builder.ExecutionContext.IsPublishMode ? api[0].GetEndpoint("http")
    : local ? builder.AddLocalIngress(stack, api).GetEndpoint("http")
    : builder.AddContainerIngress(stack, api).GetEndpoint("http");
api[0].WithSyntheticCheckCommand(stack, publicEndpoint);

// Password reset emails: a mail catcher locally, the real mail service (secret parameter "smtp") when deployed.
if (builder.ExecutionContext.IsPublishMode)
{
    builder.AddMailService(api);
}
else
{
    builder.AddMailCatcher(stack, api, publicEndpoint);
}

builder.AddMonitoring(stack, api, publicEndpoint, backups);

builder.Build().Run();
