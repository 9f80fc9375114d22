using System.Buffers;
using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Logging;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// One structured record per request on category <c>TrainingPlatform.Access</c>. The query string and the
/// body are never logged: tokens and passwords travel there.
/// </summary>
internal sealed class AccessLog(ILoggerFactory loggerFactory)
{
    public const string Category = "TrainingPlatform.Access";

    public static readonly EventId RequestEvent = new(1, "Request");

    /// <summary>
    /// What could break a log line: C0 controls, DEL and C1 controls (U+0085 NEXT LINE among them), and the Unicode
    /// line and paragraph separators U+2028 and U+2029, which some log viewers and JSON consumers treat as newlines.
    /// </summary>
    private static readonly SearchValues<char> LineBreaking =
        SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(c => (char)c), .. Enumerable.Range(0x7f, 0x21).Select(c => (char)c), '\u2028', '\u2029']);

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);

    public IDisposable? BeginRequestScope(string requestId) => _logger.BeginScope(new RequestId.Scope(requestId));

    public void Write(HttpContext context, string requestId, string pathTemplate, int status, TimeSpan elapsed)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }
        var record = new AccessRecord(context.Request.Method, PathOf(context), status, elapsed.TotalMilliseconds, requestId,
            Activity.Current?.TraceId.ToHexString(), pathTemplate, UserIdOf(context), ClientIpOf(context));
        _logger.Log(LogLevel.Information, RequestEvent, record, null, static (state, _) => state.ToString());
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

    /// <summary>
    /// The decoded path without the query; percent-encoded whole when it holds a line-breaking character, so a
    /// path cannot forge log lines.
    /// </summary>
    public static string PathOf(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        return path.AsSpan().ContainsAny(LineBreaking) ? Uri.EscapeDataString(path) : path;
    }
}
