using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Logging;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// One structured record per request on category <c>TrainingPlatform.Access</c>. The query string and the
/// body are never logged: tokens and passwords travel there.
/// </summary>
internal sealed partial class AccessLog(ILoggerFactory loggerFactory)
{
    public const string Category = "TrainingPlatform.Access";

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);

    public IDisposable? BeginRequestScope(string requestId) => _logger.BeginScope(new RequestId.Scope(requestId));

    public void Write(HttpContext context, string requestId, string pathTemplate, int status, TimeSpan elapsed)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }
        Request(_logger, context.Request.Method, PathOf(context), status, elapsed.TotalMilliseconds, requestId,
            Activity.Current?.TraceId.ToHexString(), pathTemplate, UserIdOf(context), ClientIpOf(context));
    }

    /// <summary>The authenticated user's <c>sub</c> claim, or null when anonymous.</summary>
    /// <remarks>Reads the authentication feature rather than HttpContext.User, which would allocate an empty principal.</remarks>
    public static string? UserIdOf(HttpContext context)
    {
        var user = context.Features.Get<IHttpAuthenticationFeature>()?.User;
        if (user?.Identity?.IsAuthenticated != true)
        {
            return null;
        }
        return user.FindFirst("sub")?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value;
    }

    /// <summary>The connection's peer, already replaced by the forwarded address when a trusted proxy sent it.</summary>
    public static string? ClientIpOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString();

    /// <summary>The decoded path without the query; control characters escaped so a path cannot forge log lines.</summary>
    public static string PathOf(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        return path.AsSpan().IndexOfAnyInRange('\0', '\x1f') < 0 ? path : Uri.EscapeDataString(path);
    }

    [LoggerMessage(EventId = 1, EventName = "Request", Level = LogLevel.Information,
        Message = "{method} {path} {status_code} {duration_ms} ms request_id={request_id} trace_id={trace_id} path_template={path_template} user_id={user_id} client_ip={client_ip}")]
    private static partial void Request(ILogger logger, string method, string path, int status_code, double duration_ms,
        string request_id, string? trace_id, string path_template, string? user_id, string? client_ip);
}
