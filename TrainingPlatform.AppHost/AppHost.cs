using TrainingPlatform.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var stack = StackSettings.From(builder);
StackLog.ModeChosen(stack);

var training = stack.Mode.Mode == StackMode.Local
    ? builder.AddLocalPostgres(stack, "training")
    : builder.AddContainerPostgres("training");
training.WithBackupCommand(stack);

var publishing = builder.ExecutionContext.IsPublishMode;

var api = builder.AddProject<Projects.TrainingPlatform_Api>("api")
    .WithReference(training)
    .WaitFor(training)
    .WithEndpoint("http", endpoint => endpoint.Port = publishing ? null : stack.ApiPort)
    // Prometheus scrapes an internal port of its own, so /metrics never faces the public.
    .WithHttpEndpoint(targetPort: publishing ? 9464 : null, name: "metrics", env: "Metrics__Port")
    .WithEnvironment("METRICS_ENABLED", builder.AddParameter("metrics-enabled", publishing ? "false" : "true", publishValueAsDefault: true))
    .WithEnvironment("Jwt__SigningKey", builder.AddParameter("jwt-signing-key", new GenerateParameterDefault { MinLength = 48 }, secret: true, persist: true))
    .WithEnvironment("SENTRY_DSN", builder.AddParameter("sentry-dsn", "", secret: true))
    .WithHttpHealthCheck("/healthz")
    .WithSyntheticCheckCommand(stack)
    .WithMail(stack);

builder.AddMonitoring(stack, api);

builder.Build().Run();
