using TrainingPlatform.ServiceDefaults;

namespace Microsoft.Extensions.Hosting;

// What every TrainingPlatform service gets. Each line is one concern, in a file of its own.
public static class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        // Request id, access log, security events and HTTP metrics: app.UseServiceDefaults() puts them first in the pipeline.
        builder.AddRequestAudit();
        builder.AddMetricsEndpoint();
        builder.AddTrustedProxies();
        builder.AddProblems();
        builder.AddSentryWhenConfigured();
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapMetricsEndpoint();
        return app;
    }
}
