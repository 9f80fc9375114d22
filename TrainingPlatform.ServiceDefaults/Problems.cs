using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// Every error response is an RFC 9457 problem body carrying <c>requestId</c> and <c>traceId</c>: unhandled
/// exceptions (500, or the status of a BadHttpRequestException such as 413), and error statuses returned without
/// a body (400, 401, 403, 404, 405, 415, 429). No stack trace outside Development.
/// </summary>
internal static class Problems
{
    internal static void AddProblems(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context => Identify(context.HttpContext, context.ProblemDetails.Extensions));
        builder.Services.Configure<ExceptionHandlerOptions>(options =>
            options.StatusCodeSelector = exception => exception is BadHttpRequestException badRequest ? badRequest.StatusCode : StatusCodes.Status500InternalServerError);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeveloperPageExceptionFilter, ServiceExceptionHandlersFirst>());
    }

    private static void Identify(HttpContext context, IDictionary<string, object?> extensions)
    {
        extensions["requestId"] = context.TraceIdentifier;
        extensions["traceId"] = Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
        // The exception handler clears the response headers before writing its body.
        context.Response.Headers[RequestId.HeaderName] = context.TraceIdentifier;
    }

    /// <summary>
    /// In Development ASP.NET Core's exception page catches exceptions before the exception handler does. The
    /// service's own IExceptionHandler mappings (a database outage → 503) must hold there too, so they go first.
    /// </summary>
    private sealed class ServiceExceptionHandlersFirst(IEnumerable<IExceptionHandler> handlers) : IDeveloperPageExceptionFilter
    {
        public async Task HandleExceptionAsync(ErrorContext errorContext, Func<ErrorContext, Task> next)
        {
            foreach (var handler in handlers)
            {
                if (await handler.TryHandleAsync(errorContext.HttpContext, errorContext.Exception, errorContext.HttpContext.RequestAborted))
                {
                    return;
                }
            }
            await next(errorContext);
        }
    }
}
