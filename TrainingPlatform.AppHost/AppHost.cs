using TrainingPlatform.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var stack = StackSettings.From(builder);
StackLog.ModeChosen(stack);

var training = stack.Mode.Mode == StackMode.Local
    ? builder.AddLocalPostgres(stack, "training")
    : builder.AddContainerPostgres("training");

var api = builder.AddProject<Projects.TrainingPlatform_Api>("api")
    .WithReference(training)
    .WaitFor(training)
    .WithEndpoint("http", endpoint => endpoint.Port = builder.ExecutionContext.IsPublishMode ? null : stack.ApiPort)
    .WithHttpEndpoint(name: "metrics", env: "Metrics__Port")
    .WithEnvironment("METRICS_ENABLED", builder.AddParameter("metrics-enabled", builder.ExecutionContext.IsPublishMode ? "false" : "true"))
    .WithEnvironment("Jwt__SigningKey", builder.AddParameter("jwt-signing-key", new GenerateParameterDefault { MinLength = 48 }, secret: true, persist: true))
    .WithEnvironment("SENTRY_DSN", builder.AddParameter("sentry-dsn", "", secret: true))
    .WithHttpHealthCheck("/healthz");

builder.AddMonitoring(stack, api);

builder.Build().Run();
