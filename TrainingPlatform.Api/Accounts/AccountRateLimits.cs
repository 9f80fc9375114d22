using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using TrainingPlatform.Api.Http;

namespace TrainingPlatform.Api.Accounts;

/// <summary>
/// Fixed-window limits on the credential routes, twice over: per client ip (the rate limiting middleware, one
/// policy per route family) and per account (an endpoint filter, after the body is read, keyed by the email in the
/// request or by the signed-in user). Over either limit → 429 problem with <c>Retry-After</c>.
/// Configuration: <c>RateLimits:PermitLimit</c> (per ip, default 10), <c>RateLimits:AccountPermitLimit</c>
/// (per account, default 5), <c>RateLimits:WindowSeconds</c> (default 60).
/// </summary>
public static class AccountRateLimits
{
    public const string Token = "token";
    public const string Register = "register";
    public const string Password = "password";

    public static IServiceCollection AddAccountRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection("RateLimits").Get<RateLimitSettings>() ?? new RateLimitSettings();
        services.AddSingleton(new AccountLimiter(settings));
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) => RejectAsync(context.HttpContext, context.Lease);
            foreach (var policy in new[] { Token, Register, Password })
            {
                options.AddPolicy(policy, http => RateLimitPartition.GetFixedWindowLimiter(
                    http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => settings.Window(settings.PermitLimit)));
            }
        });
        return services;
    }

    /// <summary>Both limits (per ip and per account) of <paramref name="policy"/> on this endpoint.</summary>
    public static RouteHandlerBuilder WithAccountRateLimits(this RouteHandlerBuilder builder, string policy) =>
        builder
            .RequireRateLimiting(policy)
            .AddEndpointFilter(async (context, next) =>
            {
                var account = AccountOf(context);
                if (account is null)
                {
                    return await next(context);
                }
                using var lease = context.HttpContext.RequestServices.GetRequiredService<AccountLimiter>().Acquire(policy + ":" + account);
                if (lease.IsAcquired)
                {
                    return await next(context);
                }
                await RejectAsync(context.HttpContext, lease);
                return Results.Empty;
            })
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static string? AccountOf(EndpointFilterInvocationContext context)
    {
        foreach (var argument in context.Arguments)
        {
            if (argument is IAccountRequest { Email: { Length: > 0 } email })
            {
                return "email:" + UserStore.Normalize(email);
            }
        }
        return context.HttpContext.User.IdOrNull() is { } userId ? "user:" + userId.ToString(CultureInfo.InvariantCulture) : null;
    }

    private static async ValueTask RejectAsync(HttpContext httpContext, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60);
        httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await ProblemResponses.WriteAsync(httpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
            "Too many attempts. Wait before trying again.");
    }

    internal sealed class RateLimitSettings
    {
        public int PermitLimit { get; set; } = 10;
        public int AccountPermitLimit { get; set; } = 5;
        public int WindowSeconds { get; set; } = 60;

        public FixedWindowRateLimiterOptions Window(int permits) => new()
        {
            PermitLimit = permits,
            Window = TimeSpan.FromSeconds(WindowSeconds),
            QueueLimit = 0,
        };
    }

    internal sealed class AccountLimiter(RateLimitSettings settings) : IDisposable
    {
        private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(
            account => RateLimitPartition.GetFixedWindowLimiter(account, _ => settings.Window(settings.AccountPermitLimit)));

        public RateLimitLease Acquire(string account) => _limiter.AttemptAcquire(account);

        public void Dispose() => _limiter.Dispose();
    }
}
