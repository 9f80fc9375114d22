using System.Collections.Concurrent;

namespace TrainingPlatform.Api.RateLimiting;

/// <summary>Expiring counters in this process, for when there is no shared store or it failed.</summary>
internal sealed class MemoryCounters
{
    private readonly ConcurrentDictionary<string, (long Count, DateTime Expires)> _counts = new();

    public long Increment(string key, TimeSpan window)
    {
        var now = DateTime.UtcNow;
        if (_counts.Count > 100_000)
        {
            foreach (var expired in _counts.Where(c => c.Value.Expires <= now).Select(c => c.Key).ToList())
            {
                _counts.TryRemove(expired, out _);
            }
        }
        return _counts.AddOrUpdate(key, _ => (1, now + window),
            (_, current) => current.Expires <= now ? (1, now + window) : (current.Count + 1, current.Expires)).Count;
    }

    public long Read(string key) =>
        _counts.TryGetValue(key, out var current) && current.Expires > DateTime.UtcNow ? current.Count : 0;
}
