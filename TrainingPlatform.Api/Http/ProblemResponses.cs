using Microsoft.AspNetCore.Mvc;

namespace TrainingPlatform.Api.Http;

/// <summary>
/// Writes RFC 9457 bodies through <see cref="IProblemDetailsService"/>, so the service defaults add the same
/// request id and trace id as on every other problem.
/// </summary>
public static class ProblemResponses
{
    public static async Task WriteAsync(HttpContext httpContext, int status, string title, string? detail = null)
    {
        httpContext.Response.StatusCode = status;
        await WriteAsync(httpContext, new ProblemDetails { Status = status, Title = title, Detail = detail });
    }

    public static async Task WriteAsync(HttpContext httpContext, ProblemDetails problem)
    {
        var problems = httpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem }))
        {
            await httpContext.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        }
    }
}
