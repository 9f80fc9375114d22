using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// Requests worth a security review: any 401, 403 or 429, and any 4xx under a sensitive path prefix.
/// Each is a warning on category <c>security</c> and a count in <c>security_events_total</c>, so brute force
/// shows on a graph and can be alerted on.
/// </summary>
internal sealed partial class SecurityEvents
{
    public const string Category = "security";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string RateLimited = "rate_limited";
    public const string Sensitive4xx = "sensitive_4xx";

    public static readonly string[] DefaultSensitivePathPrefixes = ["/api/v1/auth/", "/api/v1/token/", "/api/v1/upload/", "/api/v1/password/"];

    private readonly ILogger _logger;
    private readonly HttpMetrics _metrics;
    private readonly string[] _sensitivePrefixes;

    public SecurityEvents(ILoggerFactory loggerFactory, IConfiguration configuration, HttpMetrics metrics)
    {
        _logger = loggerFactory.CreateLogger(Category);
        _metrics = metrics;
        var configured = configuration.GetSection("Audit:SensitivePathPrefixes").GetChildren()
            .Select(child => child.Value).OfType<string>().Where(prefix => prefix.Length > 0).ToArray();
        _sensitivePrefixes = configured.Length > 0 ? configured : DefaultSensitivePathPrefixes;
    }

    public void Inspect(HttpContext context, string requestId, Endpoint? endpoint, int status, TimeSpan elapsed)
    {
        if (ReasonFor(status, context.Request.Path) is not { } reason)
        {
            return;
        }
        _metrics.SecurityEvent(endpoint, reason);
        Event(_logger, reason, context.Request.Method, AccessLog.PathOf(context), status,
            AccessLog.UserIdOf(context) ?? "anonymous", AccessLog.ClientIpOf(context), elapsed.TotalMilliseconds, requestId);
    }

    private string? ReasonFor(int status, PathString path) => status switch
    {
        StatusCodes.Status401Unauthorized => Unauthorized,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status429TooManyRequests => RateLimited,
        >= 400 and < 500 when IsSensitive(path) => Sensitive4xx,
        _ => null,
    };

    private bool IsSensitive(PathString path)
    {
        var value = path.Value.AsSpan();
        foreach (var prefix in _sensitivePrefixes)
        {
            // "/api/v1/token/" covers the route "/api/v1/token" itself as well as everything under it.
            if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                || value.Equals(prefix.AsSpan().TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    [LoggerMessage(EventId = 2, EventName = "SecurityEvent", Level = LogLevel.Warning,
        Message = "Security event {reason}: {method} {path} {status_code} user={user} client_ip={client_ip} duration_ms={duration_ms} request_id={request_id}")]
    private static partial void Event(ILogger logger, string reason, string method, string path, int status_code,
        string user, string? client_ip, double duration_ms, string request_id);
}
