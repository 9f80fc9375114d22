using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// <c>/healthz</c> for probes and the smoke check: every check, with a small JSON body, 503 when any fails.
/// <c>/health</c> and <c>/alive</c> as in the Aspire template, in every environment.
/// </summary>
public static class Health
{
    public const string HealthzPath = "/healthz";
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";

    private const string LiveTag = "live";

    internal static void AddDefaultHealthChecks(this IHostApplicationBuilder builder) =>
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

    internal static void MapHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthzPath, new HealthCheckOptions { ResponseWriter = WriteSummaryAsync });
        app.MapHealthChecks(HealthPath);
        // Only the liveness checks: the process answers, whatever its dependencies do.
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = registration => registration.Tags.Contains(LiveTag) });
    }

    /// <summary>Health requests are not traced: probes would drown the real traffic.</summary>
    internal static bool IsHealthPath(PathString path) =>
        path.StartsWithSegments(HealthzPath) || path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath);

    /// <summary><c>{"status":"Healthy","checks":{"self":"Healthy",...}}</c></summary>
    private static async Task WriteSummaryAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteString(name, entry.Status.ToString());
        }
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
