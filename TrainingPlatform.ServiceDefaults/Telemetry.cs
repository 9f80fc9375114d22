using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// OpenTelemetry logs, traces and metrics: ASP.NET Core, HttpClient, Npgsql and the runtime, exported over OTLP.
/// Wired only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the AppHost sets it, and the dashboard shows them):
/// without an exporter, every span and measurement would be made for no reader (see ops/docs/performance.md).
/// </summary>
internal static class Telemetry
{
    private const string Npgsql = "Npgsql";

    internal static void AddTelemetry(this IHostApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(Npgsql)
                // The features' own instruments, the ones /metrics exports too (MeterExport).
                .AddMeter(MeterExport.MeterPrefix + ".*"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !Health.IsHealthPath(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddSource(Npgsql))
            .UseOtlpExporter();
    }
}
