var builder = WebApplication.CreateBuilder(args);

if (MigrateCommand.IsRequested(args))
{
    return await MigrateCommand.RunAsync(builder.Configuration, args);
}

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// The request pipeline, in order. Forwarded headers, the audit (request id, access log, security events, metrics),
// exception handling and status pages come first (ServiceDefaults/RequestPipeline.cs). Authentication comes before
// rate limiting because uploads are limited per signed-in user; the output cache (anonymous course list) comes last.
app.UseServiceDefaults();
app.UseRouting();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.UseOutputCache();

app.MapDefaultEndpoints();
app.MapApplicationApis();
// The pipeline ends by running the matched endpoint (as the host would add it), so the warm-up can run it as built here.
app.UseEndpoints(_ => { });

await app.MigrateDatabaseAsync();
await app.WarmUpAsync();
await app.RunAsync();
return 0;

public partial class Program;
