using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// Puts the service defaults at the very start of every request, before anything the service adds, so no
/// service has to remember them: the real client address first, then the audit that sees every request and
/// its final status, then the problem bodies for exceptions and empty error responses.
/// </summary>
internal sealed class RequestPipeline : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseForwardedHeaders();
        app.UseMiddleware<RequestAuditMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        next(app);
    };
}
