using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Sentry;
using Sentry.Extensibility;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// Unhandled exceptions go to Sentry, tagged with the request id, only when <c>SENTRY_DSN</c> is set;
/// otherwise no Sentry code runs at all.
/// </summary>
internal static class SentryReporting
{
    internal static void AddSentryWhenConfigured(this IHostApplicationBuilder builder)
    {
        var dsn = builder.Configuration["SENTRY_DSN"];
        if (string.IsNullOrWhiteSpace(dsn) || builder is not WebApplicationBuilder web)
        {
            return;
        }
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<ISentryEventProcessor, RequestIdTag>();
        web.WebHost.UseSentry(options =>
        {
            options.Dsn = dsn;
            options.Environment = builder.Environment.EnvironmentName;
        });
    }

    private sealed class RequestIdTag(IHttpContextAccessor accessor) : ISentryEventProcessor
    {
        public SentryEvent Process(SentryEvent @event)
        {
            if (accessor.HttpContext is { } context)
            {
                @event.SetTag(RequestId.Key, context.TraceIdentifier);
            }
            return @event;
        }
    }
}
