namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// Waiting within a bound for what follows an answer rather than coming with it: a counter the audit updates after
/// the last byte, a log record, responses piling up under load. The bound fails the test instead of hanging it.
/// </summary>
public static class Wait
{
    private static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    public static Task UntilAsync(Func<bool> condition, TimeSpan? bound = null, string what = "condition") =>
        ForAsync(() => Task.FromResult(condition()), met => met, bound, _ => what);

    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan? bound = null, string what = "condition") =>
        ForAsync(condition, met => met, bound, _ => what);

    /// <summary>
    /// Reads until <paramref name="done"/> holds for what was read, and returns that. Past the bound the test fails
    /// with <paramref name="what"/> of the last value read.
    /// </summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? bound, Func<T, string> what)
    {
        var limit = bound ?? DefaultBound;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            Assert.True(clock.Elapsed < limit, $"{what(value)}: not met within {limit.TotalSeconds:0.#} s");
            await Task.Delay(Interval);
        }
    }
}
