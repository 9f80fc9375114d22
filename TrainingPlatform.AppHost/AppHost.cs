using TrainingPlatform.AppHost;
using TrainingPlatform.Hosting;

// The architecture diagram of README.md, one resource a line; each resource's file holds its local, containers and
// deployed forms (stack.Mode).
var builder = DistributedApplication.CreateBuilder(args);
var stack = StackSettings.From(builder);
StackLog.ModeChosen(stack);

// PostgreSQL, archiving its WAL for point-in-time recovery (Postgres.cs).
var training = builder.AddTrainingDatabase(stack, "training");
// Backups on the schedule "backup-schedule" and on the dashboard's "Back up now" (resource "backups").
var backups = builder.AddBackups(stack, training);

// Rate limits shared by every replica (connection string "cache"), and apart the course list's output cache
// ("output-cache"), which anonymous clients fill: it evicts, the limits' store never does.
var cache = builder.AddCache(stack, CacheServers.Limits);
var pages = builder.AddCache(stack, CacheServers.Pages);

var api = builder.AddApiReplicas(stack, training, cache, pages);

// Clients reach the replicas through the ingress on the API's port, as they reach the Container Apps ingress when
// deployed (where the platform provides it).
var publicEndpoint = builder.AddIngress(stack, api);
api[0].WithSyntheticCheckCommand(stack, publicEndpoint);

// Password reset emails: a mail catcher locally, the real mail service (secret parameter "smtp") when deployed.
builder.AddMail(stack, api, publicEndpoint);

builder.AddMonitoring(stack, api, publicEndpoint, backups);

// The dashboard over plain HTTP without a login or a false certificate alarm, its telemetry still behind a key;
// each of its links labelled with the page it opens.
builder.UsePlainHttpWithoutLogin();
builder.LabelDashboardLinks();

builder.Build().Run();
