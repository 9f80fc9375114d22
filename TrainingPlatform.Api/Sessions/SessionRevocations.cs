using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace TrainingPlatform.Api.Sessions;

/// <summary>
/// Answers "has this session ended?" for every request with an access token. The answer comes from the
/// <c>sessions</c> row in Postgres (read by <see cref="SessionStore"/>), so it holds on every replica; each replica keeps a live answer for at most
/// <c>Sessions:RevocationCacheSeconds</c> (default 2, at most 4) so a busy session costs one primary-key lookup per
/// interval, and an access token of a revoked session answers 401 within that interval plus one request.
/// A revoked answer is final and kept until the access tokens it could concern have expired.
/// </summary>
public sealed class SessionRevocations
{
    public const int DefaultCacheSeconds = 2;
    public const int MaxCacheSeconds = 4;

    private readonly SessionStore _store;
    private readonly TimeProvider _clock;
    private readonly long _liveTicks;
    private readonly long _revokedTicks;
    private readonly ConcurrentDictionary<Guid, Entry> _known = new();
    private long _nextSweep;

    public SessionRevocations(SessionStore store, IConfiguration configuration, IOptions<JwtSettings> jwt,
        TimeProvider clock)
    {
        var seconds = CacheSeconds(configuration);
        _store = store;
        _clock = clock;
        _liveTicks = (long)(TimeSpan.FromSeconds(seconds).TotalSeconds * clock.TimestampFrequency);
        // Token lifetime plus the validator's clock skew: after that no access token of the session is accepted anyway.
        _revokedTicks = (long)(TimeSpan.FromMinutes(jwt.Value.AccessTokenMinutes + 1).TotalSeconds * clock.TimestampFrequency);
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

    private readonly record struct Entry(bool Revoked, long CheckedAt);

    /// <summary>True when the session is revoked or gone (its user deleted).</summary>
    public async ValueTask<bool> IsRevokedAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var now = _clock.GetTimestamp();
        if (_known.TryGetValue(sessionId, out var entry) && now - entry.CheckedAt < (entry.Revoked ? _revokedTicks : _liveTicks))
        {
            return entry.Revoked;
        }
        SweepIfDue(now);
        var revoked = await _store.IsRevokedAsync(sessionId, cancellationToken);
        _known[sessionId] = new Entry(revoked, now);
        return revoked;
    }

    // Drops stale answers now and then, so the map holds only sessions seen recently.
    private void SweepIfDue(long now)
    {
        var due = Interlocked.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + _revokedTicks, due) != due)
        {
            return;
        }
        foreach (var (sessionId, entry) in _known)
        {
            if (now - entry.CheckedAt >= (entry.Revoked ? _revokedTicks : _liveTicks))
            {
                _known.TryRemove(new KeyValuePair<Guid, Entry>(sessionId, entry));
            }
        }
    }
}
