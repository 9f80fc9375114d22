var builder = DistributedApplication.CreateBuilder(args);

builder.AddProject<Projects.TrainingPlatform_Api>("api");

builder.Build().Run();
