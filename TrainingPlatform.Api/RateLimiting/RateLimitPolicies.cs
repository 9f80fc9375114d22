using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using TrainingPlatform.Api.Sessions;

namespace TrainingPlatform.Api.RateLimiting;

/// <summary>
/// Every rate limit policy: the credential, upload and write routes, in the shared <see cref="RateLimitStore"/> so they hold
/// across replicas. Per client address: one policy per route family (the rate limiting middleware; refresh has a more
/// generous one of its own, so a client that used up its sign-in attempts keeps its session). Per account and
/// client address together: an endpoint filter after the body is read, so failures from other addresses cannot
/// lock a user out. Per account from all addresses: a brake on password guesses (<see cref="WithPasswordGuessBrake"/>);
/// once it is on, an address that has already guessed on that account gets no further attempt until the brake's
/// window passes, while an address that has not still signs in (<see cref="AccountLimiter"/>). Over any limit → 429
/// problem with <c>Retry-After</c>, the time until the limit lets the client in again.
/// </summary>
public static class RateLimitPolicies
{
    public const string Token = "token";
    public const string Refresh = "refresh";
    public const string Register = "register";
    public const string Password = "password";
    public const string PasswordReset = "password-reset";
    public const string Upload = "upload";
    public const string Write = "write";

    internal static IServiceCollection AddRateLimitPolicies(this IServiceCollection services)
    {
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) => RejectAsync(context.HttpContext, context.Lease);
            foreach (var policy in new[] { Token, Refresh, Register, Password })
            {
                options.AddPolicy(policy, http => Partition(http, policy, ClientOf(http),
                    settings => policy == Refresh ? settings.RefreshPermitLimit : settings.PermitLimit));
            }
            options.AddPolicy(Upload, http => Partition(http, Upload, UserOf(http), settings => settings.UploadPermitLimit));
            options.AddPolicy(Write, http => Partition(http, Write, UserOf(http), settings => settings.WritePermitLimit, settings => settings.WriteWindow));
        });
        return services;
    }

    /// <summary>Both limits (per client address and per account with client address) of <paramref name="policy"/> on this endpoint.</summary>
    public static RouteHandlerBuilder WithAccountRateLimits(this RouteHandlerBuilder builder, string policy) =>
        builder
            // A reset request shares the password routes' per-address budget; only its per-account limit is its own.
            .RequireRateLimiting(policy == PasswordReset ? Password : policy)
            .AddEndpointFilter(async (context, next) =>
            {
                if (AccountOf(context) is not { } account)
                {
                    return await next(context);
                }
                var limiter = context.HttpContext.RequestServices.GetRequiredService<AccountLimiter>();
                using var lease = await limiter.AcquireAsync(policy, account, ClientOf(context.HttpContext));
                if (!lease.IsAcquired)
                {
                    await RejectAsync(context.HttpContext, lease);
                    return Results.Empty;
                }
                return await next(context);
            })
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

    /// <summary>
    /// The brake on password guesses, on an endpoint that checks a password its caller typed (sign-in, password
    /// change): the guess is counted against the account before the handler runs (<see cref="AccountLimiter.ReserveGuessAsync"/>)
    /// and given back unless the handler reported it wrong (<see cref="PasswordGuess.Wrong"/>). Sign-ins and password
    /// changes of one account share the budget, keyed by its email (the body's, or the signed-in user's).
    /// </summary>
    public static RouteHandlerBuilder WithPasswordGuessBrake(this RouteHandlerBuilder builder) =>
        builder
            .AddEndpointFilter(async (context, next) =>
            {
                if (GuessedAccountOf(context) is not { } account)
                {
                    return await next(context);
                }
                var services = context.HttpContext.RequestServices;
                var limiter = services.GetRequiredService<AccountLimiter>();
                var client = ClientOf(context.HttpContext);
                if (await limiter.ReserveGuessAsync(account, client) is { } refused)
                {
                    await RejectAsync(context.HttpContext, refused);
                    return Results.Empty;
                }
                var wrong = false;
                try
                {
                    var result = await next(context);
                    wrong = services.GetRequiredService<PasswordGuess>().IsWrong;
                    return result;
                }
                finally
                {
                    if (!wrong)
                    {
                        await limiter.GuessWasNotWrongAsync(account, client);
                    }
                }
            })
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

    /// <summary>Course, lesson and enrollment writes (<see cref="Write"/>): the signed-in user's budget, answered 429 over it.</summary>
    public static TBuilder WithWriteRateLimit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(Write).ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static RateLimitPartition<string> Partition(HttpContext http, string policy, string key, Func<RateLimitSettings, int> permits,
        Func<RateLimitSettings, TimeSpan>? window = null)
    {
        var services = http.RequestServices;
        return RateLimitPartition.Get(key, partition =>
        {
            var settings = services.GetRequiredService<RateLimitSettings>();
            return services.GetRequiredService<RateLimitStore>().Create(policy, partition, permits(settings), window?.Invoke(settings) ?? settings.Window);
        });
    }

    /// <summary>The signed-in user (authentication has run), else the client's address: the route refuses it anyway.</summary>
    private static string UserOf(HttpContext http) => http.User.IdOrNull()?.ToString(CultureInfo.InvariantCulture) ?? ClientOf(http);

    /// <summary>The client's address as the trusted proxy saw it (the forwarded headers middleware ran first).</summary>
    private static string ClientOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

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

    private static string? GuessedAccountOf(EndpointFilterInvocationContext context) =>
        context.Arguments.OfType<IAccountRequest>().FirstOrDefault()?.Email is { Length: > 0 } email
            ? "email:" + UserStore.Normalize(email)
            : context.HttpContext.User.FindFirstValue(AccessTokens.EmailClaim) is { Length: > 0 } signedIn
                ? "email:" + UserStore.Normalize(signedIn)
                : null;

    private static async ValueTask RejectAsync(HttpContext httpContext, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60);
        httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await ProblemResponses.WriteAsync(httpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
            "Too many attempts. Wait before trying again.");
    }
}
