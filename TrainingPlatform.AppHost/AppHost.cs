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
var publicEndpoint = builder.ExecutionContext.IsPublishMode ? api[0].GetEndpoint("http")
    : local ? builder.AddLocalIngress(stack, api).GetEndpoint("http")
    : builder.AddContainerIngress(stack, api).GetEndpoint("http");
api[0].WithSyntheticCheckCommand(stack, publicEndpoint);

builder.AddMonitoring(stack, api, publicEndpoint);

builder.Build().Run();
