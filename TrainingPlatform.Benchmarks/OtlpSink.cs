using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TrainingPlatform.Benchmarks;

/// <summary>
/// <c>otlp-sink [--urls URL]</c>: an OTLP/HTTP endpoint that reads and drops every export, so the pipeline
/// benchmark can measure OpenTelemetry with its exporter working, as under the AppHost's dashboard.
/// </summary>
internal static class OtlpSink
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/{signal}", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            return Results.Ok();
        });
        await app.RunAsync();
        return 0;
    }
}
