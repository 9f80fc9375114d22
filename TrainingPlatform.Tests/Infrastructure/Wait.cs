using System.Diagnostics;

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// Waiting within a bound for what follows an answer rather than coming with it: a counter the audit updates after
/// the last byte, a log record, responses piling up under load. The bound fails the test instead of hanging it.
/// </summary>
public static class Wait
{
    private static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    public static Task UntilAsync(Func<bool> condition, TimeSpan? bound = null, string? what = null) =>
        UntilAsync(() => Task.FromResult(condition()), bound, what);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? bound = null, string? what = null)
    {
        var limit = bound ?? DefaultBound;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < limit, $"{what ?? "condition"} not met within {limit.TotalSeconds:0.#} s");
            await Task.Delay(Interval);
        }
    }
}
