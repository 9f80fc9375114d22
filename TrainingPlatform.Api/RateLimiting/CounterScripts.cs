namespace TrainingPlatform.Api.RateLimiting;

/// <summary>
/// The shared store's counter operations as Lua scripts: each runs atomically in the server, so a counter is never
/// left without its expiry (an <c>INCR</c> whose <c>EXPIRE</c> was lost would brake for ever) and concurrent
/// requests cannot interleave between a read and a write.
/// </summary>
internal static class CounterScripts
{
    /// <summary>
    /// KEYS: the account's guesses, this client's guesses on it; ARGV: the brake limit, the window in ms. Returns
    /// {1, ms until the refusal ends} when refused, {0, 0} after counting the guess in both. A counter found without
    /// an expiry (whatever made it) gets the window, so none outlives it by more than one window.
    /// </summary>
    public const string Reserve = """
        local account = tonumber(redis.call('GET', KEYS[1]) or '0')
        local mine = tonumber(redis.call('GET', KEYS[2]) or '0')
        if account >= tonumber(ARGV[1]) and mine > 0 then
          local ttl = math.min(redis.call('PTTL', KEYS[1]), redis.call('PTTL', KEYS[2]))
          if ttl < 0 then ttl = tonumber(ARGV[2]) end
          return {1, ttl}
        end
        for _, key in ipairs(KEYS) do
          redis.call('INCR', key)
          if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[2]) end
        end
        return {0, 0}
        """;

    /// <summary>KEYS: counters to take one from, where they still hold more than zero.</summary>
    public const string Refund = """
        for _, key in ipairs(KEYS) do
          if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
        end
        return 0
        """;
}
