using System.Globalization;
using System.Threading.RateLimiting;
using RedisRateLimiting;
using StackExchange.Redis;

namespace TrainingPlatform.Api.RateLimiting;

/// <summary>Decides in the shared store when it is usable, in the per-process limiter of the same numbers otherwise.</summary>
internal sealed class SharedLimiter(RateLimitStore store, string policy, RateLimiter shared, RateLimiter memory) : RateLimiter
{
    public override TimeSpan? IdleDuration => memory.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => memory.GetStatistics();

    // A store call is asynchronous: answering "not acquired" here makes the caller ask AcquireAsync.
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => NotYet.Instance;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (!store.StoreUsable)
        {
            store.Failed(policy, error: null);
            return memory.AttemptAcquire(permitCount);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RateLimitStore.StoreTimeout);
        try
        {
            // The bound holds even where the library does not watch the token (a connection that hangs).
            var lease = await shared.AcquireAsync(permitCount, timeout.Token).AsTask().WaitAsync(RateLimitStore.StoreTimeout, cancellationToken);
            store.Succeeded();
            return WithRetryAfter(lease);
        }
        catch (Exception e) when (e is RedisException or TimeoutException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            store.Failed(policy, e);
            return memory.AttemptAcquire(permitCount);
        }
    }

    /// <summary>
    /// The library's refusal says when its window ends under a metadata name of its own; the 429 answer reads
    /// <see cref="MetadataName.RetryAfter"/>, so a refusal carries the real remaining time there.
    /// </summary>
    private static RateLimitLease WithRetryAfter(RateLimitLease lease)
    {
        if (lease.IsAcquired || !lease.TryGetMetadata(RateLimitMetadataName.RetryAfter.Name, out var seconds) || seconds is null)
        {
            return lease;
        }
        lease.Dispose();
        return new RefusedLease(TimeSpan.FromSeconds(Convert.ToDouble(seconds, CultureInfo.InvariantCulture)));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            shared.Dispose();
            memory.Dispose();
        }
        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await shared.DisposeAsync();
        await memory.DisposeAsync();
    }

    private sealed class NotYet : RateLimitLease
    {
        public static readonly NotYet Instance = new();

        public override bool IsAcquired => false;
        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
