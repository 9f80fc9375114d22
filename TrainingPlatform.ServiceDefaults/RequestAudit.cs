using Microsoft.Extensions.Configuration;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Hosting;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// The first middleware of every request: assigns the request id, then, once the final status is known
/// (a 500 after an exception included), writes the access record, the security event and the metrics; none of the
/// three for a <see cref="WarmUpRequest"/>.
/// </summary>
internal sealed class RequestAuditMiddleware(RequestDelegate next, ServiceMetrics metrics, AccessLog accessLog, SecurityEvents securityEvents)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = RequestId.Resolve(context);
        RequestId.Assign(context, requestId);
        using var scope = accessLog.BeginRequestScope(requestId);
        var recorded = !WarmUpRequest.Is(context);
        if (recorded)
        {
            metrics.RequestStarted();
        }
        var failed = true;
        try
        {
            await next(context);
            failed = false;
        }
        finally
        {
            // An exception that escapes every handler becomes a 500 from the server, unless the response had begun.
            var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            var elapsed = Stopwatch.GetElapsedTime(started);
            var endpoint = PathTemplate.EndpointOf(context);
            if (recorded)
            {
                metrics.RequestEnded();
                metrics.Observe(endpoint, context.Request.Method, status, elapsed);
                accessLog.Write(context, requestId, PathTemplate.Of(endpoint), status, elapsed);
                securityEvents.Inspect(context, requestId, endpoint, status, elapsed);
            }
        }
    }
}

internal static class RequestAudit
{
    /// <summary>The audit's parts; <see cref="RequestPipeline.UseServiceDefaults"/> runs it first on every request.</summary>
    internal static void AddRequestAudit(this IHostApplicationBuilder builder)
    {
        // Behind a load balancer each scrape reaches some replica: a label of the process's own keeps their series apart.
        var instance = builder.Configuration.GetValue<bool>(ServiceMetrics.InstanceLabelKey) ? Environment.MachineName : null;
        builder.Services.AddSingleton(_ => new ServiceMetrics(instance));
        ExportMeters(builder.Services);
        builder.Services.AddSingleton<AccessLog>();
        builder.Services.AddSingleton<SecurityEvents>();
        ConsoleLines.ReplaceConsoleLogger(builder);
    }

    /// <summary>
    /// Makes the host's meter factory export its meters on /metrics as it is made, so that a counter a feature
    /// publishes at 0 in its constructor is seen whatever the host resolves first.
    /// </summary>
    private static void ExportMeters(IServiceCollection services)
    {
        services.AddMetrics();
        var registered = services.Last(service => service.ServiceType == typeof(IMeterFactory));
        services.Remove(registered);
        services.AddSingleton<IMeterFactory>(provider =>
        {
            var meters = (IMeterFactory)(registered.ImplementationInstance
                ?? registered.ImplementationFactory?.Invoke(provider)
                ?? ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!));
            provider.GetRequiredService<ServiceMetrics>().Export(meters);
            return meters;
        });
    }
}
