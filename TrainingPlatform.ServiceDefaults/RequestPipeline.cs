using TrainingPlatform.ServiceDefaults;

// Beside AddServiceDefaults, so a service's Program.cs needs no using.
namespace Microsoft.Extensions.Hosting;

public static class RequestPipeline
{
    /// <summary>
    /// The service defaults' part of the request pipeline, first in every service's <c>Program.cs</c>: the real client
    /// address (forwarded headers, from trusted proxies only), then the audit that sees every request and its final
    /// status (request id, access log, security events, HTTP metrics), then problem bodies for exceptions and for
    /// empty error responses.
    /// </summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseMiddleware<RequestAuditMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
