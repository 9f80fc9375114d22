using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using TrainingPlatform.ServiceDefaults;

namespace TrainingPlatform.Benchmarks;

/// <summary>
/// <c>host VARIANT [--urls URL] [config...]</c>: the same trivial <c>GET /hello</c> in hosts that differ only in
/// what watches it, for wrk to load one after another. Configuration comes as for any ASP.NET Core app (command
/// line, environment) over this project's appsettings.json, which sets the API's log levels.
/// </summary>
internal static class TrivialHosts
{
    public const string HelloPath = "/hello";

    /// <summary>The variants, with what each adds to bare ASP.NET Core.</summary>
    public static readonly IReadOnlyDictionary<string, string> Variants = new Dictionary<string, string>
    {
        ["bare"] = "nothing",
        ["promnet"] = "prometheus-net UseHttpMetrics() and MapMetrics(), default metrics suppressed (ServiceDefaults never starts them)",
        ["promnet-stock"] = "prometheus-net UseHttpMetrics() and MapMetrics() out of the box (default metrics start at the first scrape)",
        ["audit"] = "the ServiceDefaults audit middleware (request id, metrics, security events) and /metrics; access log below its level",
        ["defaults"] = "AddServiceDefaults() and MapDefaultEndpoints(): audit, access log, problems, health; OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is given",
    };

    public static async Task<int> RunAsync(string variant, string[] args)
    {
        if (!Variants.ContainsKey(variant))
        {
            await Console.Error.WriteLineAsync($"Unknown host variant '{variant}'. Known: {string.Join(", ", Variants.Keys)}.");
            return 2;
        }
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        switch (variant)
        {
            case "promnet":
                Metrics.SuppressDefaultMetrics();
                break;
            case "audit":
                builder.Services.AddSingleton<ServiceMetrics>().AddSingleton<AccessLog>().AddSingleton<SecurityEvents>();
                builder.Logging.AddFilter(AccessLog.Category, LogLevel.Warning);
                break;
            case "defaults":
                builder.Configuration["METRICS_ENABLED"] ??= "true";
                builder.AddServiceDefaults();
                break;
        }

        var app = builder.Build();
        switch (variant)
        {
            case "promnet" or "promnet-stock":
                app.UseRouting();
                app.UseHttpMetrics();
                app.MapMetrics();
                break;
            case "audit":
                app.UseMiddleware<RequestAuditMiddleware>();
                var metrics = app.Services.GetRequiredService<ServiceMetrics>();
                app.Map(MetricsEndpoint.Path, context => metrics.WriteAsync(context.Response)).DisableHttpMetrics();
                break;
            case "defaults":
                app.UseServiceDefaults();
                app.MapDefaultEndpoints();
                break;
        }
        app.MapGet(HelloPath, () => "Hello, world!");
        await app.RunAsync();
        return 0;
    }
}
