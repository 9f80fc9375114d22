using Microsoft.AspNetCore.Hosting;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// Unhandled exceptions go to Sentry only when <c>SENTRY_DSN</c> is set; otherwise no Sentry code runs at all.
/// Sentry turns the request's logging scope into event tags, so each event carries its <c>request_id</c>.
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
        web.WebHost.UseSentry(options =>
        {
            options.Dsn = dsn;
            options.Environment = builder.Environment.EnvironmentName;
        });
    }
}
