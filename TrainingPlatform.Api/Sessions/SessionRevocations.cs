using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace TrainingPlatform.Api.Sessions;

/// <summary>
/// Answers "has this session ended?" for every request with an access token. The answer comes from the
/// <c>sessions</c> row in Postgres (read by <see cref="SessionStore"/>), so it holds on every replica; each replica keeps a live answer
/// in its <see cref="IMemoryCache"/> for at most <c>Sessions:RevocationCacheSeconds</c> (default 2, at most 4) so a busy session costs one
/// primary-key lookup per interval, and an access token of a revoked session answers 401 within that interval plus one request.
/// A revoked answer is final and kept until the access tokens it could concern have expired.
/// </summary>
public sealed class SessionRevocations
{
    public const int DefaultCacheSeconds = 2;
    public const int MaxCacheSeconds = 4;

    private readonly SessionStore _store;
    private readonly IMemoryCache _cache;
    private readonly TimeSpan _live;
    private readonly TimeSpan _revoked;

    public SessionRevocations(SessionStore store, IMemoryCache cache, IConfiguration configuration, IOptions<JwtSettings> jwt)
    {
        _store = store;
        _cache = cache;
        _live = TimeSpan.FromSeconds(CacheSeconds(configuration));
        // Token lifetime plus the validator's clock skew: after that no access token of the session is accepted anyway.
        _revoked = TimeSpan.FromMinutes(jwt.Value.AccessTokenMinutes + 1);
    }

    /// <summary>
    /// The bearer handler's check after a token's signature and lifetime are valid: a token without a session, or of
    /// an ended one, fails authentication (401). A database outage propagates, so the answer is 503, not 401.
    /// </summary>
    public static async Task RejectEndedSessionAsync(TokenValidatedContext context)
    {
        var revocations = context.HttpContext.RequestServices.GetRequiredService<SessionRevocations>();
        if (!Guid.TryParse(context.Principal?.FindFirst(AccessTokens.SessionClaim)?.Value, out var sessionId)
            || await revocations.IsRevokedAsync(sessionId, context.HttpContext.RequestAborted))
        {
            context.Fail("The session has ended.");
        }
    }

    /// <summary><c>Sessions:RevocationCacheSeconds</c>; out of range fails, at start-up (see <c>AddSessions</c>).</summary>
    public static int CacheSeconds(IConfiguration configuration)
    {
        var seconds = configuration.GetValue("Sessions:RevocationCacheSeconds", DefaultCacheSeconds);
        return seconds is >= 0 and <= MaxCacheSeconds
            ? seconds
            : throw new InvalidOperationException(
                $"Sessions:RevocationCacheSeconds must be between 0 and {MaxCacheSeconds}: a signed-out session must stop working within 5 seconds.");
    }

    /// <summary>The cache key: a type of its own, so no other user of the shared cache can collide with it.</summary>
    private readonly record struct SessionKey(Guid SessionId);

    /// <summary>
    /// Answers "live" for this session for the cache interval without a lookup: for the warm-up's own session, made
    /// up in process (a fresh random id no stored session has), so its requests pass the check and reach the endpoints.
    /// With the cache off (interval 0) it does nothing, and those requests end at the check.
    /// </summary>
    internal void AssumeLive(Guid sessionId)
    {
        if (_live > TimeSpan.Zero)
        {
            _cache.Set(new SessionKey(sessionId), false, _live);
        }
    }

    /// <summary>True when the session is revoked or gone (its user deleted).</summary>
    public async ValueTask<bool> IsRevokedAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var key = new SessionKey(sessionId);
        if (_cache.TryGetValue(key, out bool revoked))
        {
            return revoked;
        }
        revoked = await _store.IsRevokedAsync(sessionId, cancellationToken);
        var keep = revoked ? _revoked : _live;
        if (keep > TimeSpan.Zero)
        {
            _cache.Set(key, revoked, keep);
        }
        return revoked;
    }
}
