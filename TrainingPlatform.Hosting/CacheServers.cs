namespace TrainingPlatform.Hosting;

/// <summary>
/// The two Redis-protocol stores and how each is bounded, in every mode (redis-server locally, Valkey in containers
/// and when deployed). Apart, because a store that evicts must never hold a rate-limit counter: anonymous requests
/// fill the output cache, and a counter evicted under that pressure would reset a limit.
/// </summary>
public static class CacheServers
{
    /// <summary>Rate-limit counters (connection string <c>cache</c>).</summary>
    public const string Limits = "cache";

    /// <summary>The course list's output cache (connection string <c>output-cache</c>).</summary>
    public const string Pages = "output-cache";

    /// <summary>
    /// Never evicts: when full, writes fail and the limits fall back to per-process memory (a logged security event),
    /// which is loud, where a silently evicted counter is not. Counters expire with their window, so only a flood of
    /// distinct clients could fill it.
    /// </summary>
    public static IReadOnlyList<string> LimitArguments { get; } = ["--maxmemory", "64mb", "--maxmemory-policy", "noeviction"];

    /// <summary>Bounded, evicting the least recently used page when full.</summary>
    public static IReadOnlyList<string> PageArguments { get; } = ["--maxmemory", "32mb", "--maxmemory-policy", "allkeys-lru"];

    public static IReadOnlyList<string> Arguments(string name) => name switch
    {
        Limits => LimitArguments,
        Pages => PageArguments,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"not one of the stores {Limits} and {Pages}"),
    };
}
