using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace TrainingPlatform.Api.RateLimiting;

public static class RateLimitingServices
{
    /// <summary>
    /// Every rate limit policy, the per-account limiter, and the limits' settings and store: shared through the
    /// Redis-protocol server named by connection string <c>cache</c> when one is configured, in process memory otherwise.
    /// </summary>
    public static IHostApplicationBuilder AddRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<RateLimitSettings>(builder.Configuration.GetSection(RateLimitSettings.Section));
        builder.Services.AddSingleton(services => services.GetRequiredService<IOptions<RateLimitSettings>>().Value);
        if (!string.IsNullOrEmpty(builder.Configuration.GetConnectionString(RateLimitStore.ConnectionName)))
        {
            // The store failing must not make the API unhealthy: limits fall back to memory (RateLimitStore), so no
            // health check; and the client keeps reconnecting in the background rather than failing start-up.
            builder.AddRedisClient(RateLimitStore.ConnectionName,
                settings => settings.DisableHealthChecks = true,
                options =>
                {
                    options.AbortOnConnectFail = false;
                    options.ConnectTimeout = 2000;
                    options.SyncTimeout = 1000;
                    options.AsyncTimeout = 1000;
                    options.ReconnectRetryPolicy = new LinearRetry(1000);
                });
        }
        builder.Services.AddSingleton<RateLimitStore>();
        builder.Services.AddSingleton<AccountLimiter>();
        builder.Services.AddScoped<PasswordGuess>();
        builder.Services.AddRateLimitPolicies();
        return builder;
    }
}
