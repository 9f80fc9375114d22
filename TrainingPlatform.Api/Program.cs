using TrainingPlatform.Api.Data;
using TrainingPlatform.Api.Http;

var builder = WebApplication.CreateBuilder(args);

if (MigrateCommand.IsRequested(args))
{
    return await MigrateCommand.RunAsync(builder.Configuration, args);
}

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapApplicationApis();

await app.MigrateDatabaseAsync();
await app.RunAsync();
return 0;

public partial class Program;
