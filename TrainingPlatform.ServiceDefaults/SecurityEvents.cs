using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// The one way to raise a security event, and the only writer of the <c>security</c> log category. Requests worth a
/// security review: any 401, 403 or 429, and any 4xx from an endpoint the service declared security-sensitive
/// (<see cref="SecurityAudit.WithSecurityAudit{TBuilder}"/>) or under its routes. Events the service detects itself
/// (the shared rate-limit store failing) are raised through the public methods. Each is a warning on category
/// <c>security</c> and a count in <c>security_events_total</c>, so brute force shows on a graph and can be alerted on.
/// Operators may widen the audit's reach with <see cref="SecurityAudit.SensitivePathPrefixesKey"/>.
/// </summary>
public sealed partial class SecurityEvents
{
    public const string Category = "security";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string RateLimited = "rate_limited";
    public const string Sensitive4xx = "sensitive_4xx";
    public const string RateLimitStoreUnavailable = "rate_limit_store_unavailable";

    private readonly ILogger _logger;
    private readonly ServiceMetrics _metrics;
    private readonly Lazy<IReadOnlyList<string>> _reach;

    public SecurityEvents(ILoggerFactory loggerFactory, IConfiguration configuration, ServiceMetrics metrics, IServiceProvider services)
    {
        _logger = loggerFactory.CreateLogger(Category);
        _metrics = metrics;
        // Read at the first 4xx, when every endpoint is mapped.
        _reach = new(() => SecurityAudit.Reach(services.GetRequiredService<EndpointDataSource>(), configuration));
    }

    /// <summary>
    /// The store that shares rate limits across replicas failed (<paramref name="policy"/>: <paramref name="error"/>
    /// <paramref name="detail"/>) and limits fall back to per-process memory: raise it once per outage.
    /// </summary>
    public void RateLimitStoreFailed(string policy, string error, string detail)
    {
        _metrics.SecurityEvent(null, RateLimitStoreUnavailable);
        StoreUnavailable(_logger, RateLimitStoreUnavailable, policy, error, detail);
    }

    /// <summary>The shared rate-limit store answers again after <see cref="RateLimitStoreFailed"/>: the outage is over (not counted).</summary>
    public void RateLimitStoreRecovered() => StoreRecovered(_logger);

    internal void Inspect(HttpContext context, string requestId, Endpoint? endpoint, int status, TimeSpan elapsed)
    {
        if (ReasonFor(status, endpoint, context.Request.Path) is not { } reason)
        {
            return;
        }
        _metrics.SecurityEvent(endpoint, reason);
        Event(_logger, reason, context.Request.Method, AccessLog.PathOf(context), status,
            AccessLog.UserIdOf(context) ?? "anonymous", AccessLog.ClientIpOf(context), elapsed.TotalMilliseconds, requestId);
    }

    private string? ReasonFor(int status, Endpoint? endpoint, PathString path) => status switch
    {
        StatusCodes.Status401Unauthorized => Unauthorized,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status429TooManyRequests => RateLimited,
        >= 400 and < 500 when SecurityAudit.Covers(endpoint, path, _reach.Value) => Sensitive4xx,
        _ => null,
    };

    [LoggerMessage(EventId = 2, EventName = "SecurityEvent", Level = LogLevel.Warning,
        Message = "Security event {reason}: {method} {path} {status_code} user={user} client_ip={client_ip} duration_ms={duration_ms} request_id={request_id}")]
    private static partial void Event(ILogger logger, string reason, string method, string path, int status_code,
        string user, string? client_ip, double duration_ms, string request_id);

    [LoggerMessage(EventId = 3, EventName = "RateLimitStoreUnavailable", Level = LogLevel.Warning,
        Message = "Security event {reason}: the shared rate-limit store failed ({policy}: {error} {detail}); limits fall back to per-process memory until it answers again")]
    private static partial void StoreUnavailable(ILogger logger, string reason, string policy, string error, string detail);

    [LoggerMessage(EventId = 4, EventName = "RateLimitStoreRecovered", Level = LogLevel.Information,
        Message = "The shared rate-limit store answers again; limits are shared across replicas again")]
    private static partial void StoreRecovered(ILogger logger);
}
