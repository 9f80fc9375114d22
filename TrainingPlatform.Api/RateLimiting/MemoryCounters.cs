namespace TrainingPlatform.Api.RateLimiting;

/// <summary>
/// Expiring counters in this process, for when there is no shared store or it failed: the same operations as
/// <see cref="CounterScripts"/>, atomic under one lock.
/// </summary>
internal sealed class MemoryCounters
{
    private const int SweepAbove = 100_000;

    private readonly Dictionary<string, (long Count, DateTime Expires)> _counts = [];
    private readonly Lock _gate = new();

    public (bool Refused, long RetryAfterMs) Reserve(string account, string client, int brakeLimit, TimeSpan window)
    {
        var now = DateTime.UtcNow;
        lock (_gate)
        {
            var (accountCount, accountExpires) = Current(account, now);
            var (clientCount, clientExpires) = Current(client, now);
            if (accountCount >= brakeLimit && clientCount > 0)
            {
                var until = accountExpires < clientExpires ? accountExpires : clientExpires;
                return (true, (long)Math.Ceiling((until - now).TotalMilliseconds));
            }
            Sweep(now);
            _counts[account] = (accountCount + 1, accountCount == 0 ? now + window : accountExpires);
            _counts[client] = (clientCount + 1, clientCount == 0 ? now + window : clientExpires);
            return (false, 0);
        }
    }

    public bool Refund(string[] keys)
    {
        var now = DateTime.UtcNow;
        lock (_gate)
        {
            foreach (var key in keys)
            {
                if (Current(key, now) is { Count: > 0 } current)
                {
                    _counts[key] = (current.Count - 1, current.Expires);
                }
            }
        }
        return true;
    }

    private (long Count, DateTime Expires) Current(string key, DateTime now) =>
        _counts.TryGetValue(key, out var current) && current.Expires > now ? current : (0, now);

    private void Sweep(DateTime now)
    {
        if (_counts.Count > SweepAbove)
        {
            foreach (var expired in _counts.Where(c => c.Value.Expires <= now).Select(c => c.Key).ToList())
            {
                _counts.Remove(expired);
            }
        }
    }
}
