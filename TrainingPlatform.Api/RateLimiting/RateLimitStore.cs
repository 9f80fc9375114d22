using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using RedisRateLimiting;
using StackExchange.Redis;
using TrainingPlatform.ServiceDefaults;

namespace TrainingPlatform.Api.RateLimiting;

/// <summary>
/// Where the counts of every limit live. With a <c>cache</c> connection string (a Redis-protocol server shared by
/// all replicas) the limits hold across replicas; without one (a single process, tests of other features) they
/// live in this process's memory.
/// </summary>
/// <remarks>
/// Policy when the shared store fails: the request is decided by a per-process limit of the same numbers (never
/// blocked, never unlimited), the failure is a security event (<see cref="SecurityEvents.RateLimitStoreFailed"/>), and each decision made
/// without the store counts in <c>rate_limit_store_errors_total</c>. The store is tried again once the client
/// has reconnected and <see cref="RetryAfterFailure"/> has passed, so shared limits come back without a restart.
/// </remarks>
public sealed class RateLimitStore
{
    public const string ConnectionName = "cache";

    /// <summary>How long to decide in memory after a failed store call before trying the store again.</summary>
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A limit decision waits this long for the store at most; a slower store counts as failed. Generous enough that a
    /// replica at full CPU does not fall back (and count one attempt twice) while the store is merely slow to be heard.
    /// </summary>
    internal static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(2);

    private readonly IConnectionMultiplexer? _redis;
    private readonly SecurityEvents _securityEvents;
    private readonly MemoryCounters _memoryCounters = new();
    private readonly Counter<long> _errors;
    private long _retryAtTicks;
    private int _degraded;

    public RateLimitStore(IServiceProvider services, SecurityEvents securityEvents, IMeterFactory meters)
    {
        _redis = services.GetService<IConnectionMultiplexer>();
        _securityEvents = securityEvents;
        _errors = meters.Create("TrainingPlatform.RateLimiting").CreateCounter<long>("rate_limit_store.errors",
            description: "Rate-limit decisions made in process memory because the shared store failed or was unreachable.");
    }

    public bool IsShared => _redis is not null;

    /// <summary>A fixed-window limiter for one partition (<paramref name="policy"/> and <paramref name="key"/>).</summary>
    public RateLimiter Create(string policy, string key, int permitLimit, TimeSpan window)
    {
        var memory = new FixedWindowRateLimiter(RateLimitSettings.InMemory(permitLimit, window));
        if (_redis is null)
        {
            return memory;
        }
        var redis = _redis;
        var shared = new RedisFixedWindowRateLimiter<string>($"tp:ratelimit:{policy}:{key}", new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            PermitLimit = permitLimit,
            Window = window,
        });
        return new SharedLimiter(this, policy, shared, memory);
    }

    /// <summary>
    /// Reserves one password guess for <paramref name="client"/> on an account before the password is checked, in
    /// one atomic step, so parallel guesses cannot all read "not yet failed": refused (with the time until the
    /// refusal ends) when the account has <paramref name="brakeLimit"/> or more guesses in the window and this client
    /// already has one; otherwise both counters go up by one. <see cref="RefundAsync"/> takes back a guess that turned
    /// out right.
    /// </summary>
    public async Task<TimeSpan?> ReserveAsync(string account, string client, int brakeLimit, TimeSpan window)
    {
        var (refused, retryAfterMs) = await WithStoreAsync("counter", async redis =>
        {
            var result = (long[])(await redis.GetDatabase().ScriptEvaluateAsync(CounterScripts.Reserve,
                [CounterKey(account), CounterKey(client)], [brakeLimit, (long)window.TotalMilliseconds]))!;
            return (result[0] == 1, result[1]);
        }, () => _memoryCounters.Reserve(account, client, brakeLimit, window));
        return refused ? TimeSpan.FromMilliseconds(retryAfterMs) : null;
    }

    /// <summary>Takes back one count from each counter that still holds one (never below zero, never creating a key).</summary>
    public async Task RefundAsync(params string[] keys) =>
        await WithStoreAsync("counter", async redis =>
        {
            await redis.GetDatabase().ScriptEvaluateAsync(CounterScripts.Refund, keys.Select(k => (RedisKey)CounterKey(k)).ToArray());
            return true;
        }, () => _memoryCounters.Refund(keys));

    private static string CounterKey(string key) => "tp:counter:" + key;

    private async Task<T> WithStoreAsync<T>(string policy, Func<IConnectionMultiplexer, Task<T>> shared, Func<T> memory)
    {
        if (_redis is null)
        {
            return memory();
        }
        if (!StoreUsable)
        {
            Failed(policy, error: null);
            return memory();
        }
        try
        {
            var result = await shared(_redis).WaitAsync(StoreTimeout);
            Succeeded();
            return result;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failed(policy, e);
            return memory();
        }
    }

    internal bool StoreUsable => _redis is { IsConnected: true } && DateTime.UtcNow.Ticks >= Interlocked.Read(ref _retryAtTicks);

    internal void Succeeded()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            _securityEvents.RateLimitStoreRecovered();
        }
    }

    internal void Failed(string policy, Exception? error)
    {
        _errors.Add(1, new KeyValuePair<string, object?>("policy", policy));
        if (error is not null)
        {
            Interlocked.Exchange(ref _retryAtTicks, (DateTime.UtcNow + RetryAfterFailure).Ticks);
        }
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            _securityEvents.RateLimitStoreFailed(policy, error?.GetType().Name ?? "not connected", error?.Message ?? "");
        }
    }
}
