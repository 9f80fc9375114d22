using TrainingPlatform.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var stack = StackSettings.From(builder);
StackLog.ModeChosen(stack);
var local = stack.Mode.Mode == StackMode.Local;

var training = local ? builder.AddLocalPostgres(stack, "training") : builder.AddContainerPostgres("training");
training.WithBackupCommand(stack);

// Rate limits shared by every replica (connection string "cache").
var cache = local ? builder.AddLocalCache(stack, "cache") : builder.AddContainerCache("cache");

var api = builder.AddApiReplicas(stack, training, cache);

// Clients reach the replicas through an ingress on the API's port, as they reach the Container Apps ingress when
// deployed (where the platform provides it).
if (!builder.ExecutionContext.IsPublishMode)
{
    var ingress = local
        ? builder.AddLocalIngress(stack, api).GetEndpoint("http")
        : builder.AddContainerIngress(stack, api).GetEndpoint("http");
    api[0].WithSyntheticCheckCommand(stack, ingress);
}

builder.AddMonitoring(stack, api);

builder.Build().Run();
