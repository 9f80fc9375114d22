using Microsoft.AspNetCore.OutputCaching;
using System.Diagnostics.Metrics;

namespace TrainingPlatform.Api.Courses;

/// <summary>
/// The shared output cache store, made unable to fail a request: a lookup that fails is a miss (the list comes from
/// the database), a store that fails is skipped, and an eviction that fails after a course write has committed is
/// logged and counted, never a failed write (a 500 after the commit would make a retrying client write twice).
/// Each failure counts in <c>output_cache_store_errors_total{operation}</c> (get, set, evict).
/// </summary>
/// <remarks>
/// After a failed lookup or store, lookups and stores leave the store alone for <see cref="RetryAfterFailure"/>, so
/// anonymous lists do not each wait for a dead store. Evictions are always tried, for at most <see cref="Timeout"/>:
/// a page that misses one stays at most <c>Courses:ListCacheSeconds</c>.
/// </remarks>
internal sealed class GuardedOutputCacheStore(IOutputCacheStore inner, IMeterFactory meters, TimeProvider clock,
    ILogger<GuardedOutputCacheStore> logger, int lifetimeSeconds) : IOutputCacheStore
{
    public const string ErrorsTotal = "output_cache_store_errors_total";

    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private static readonly string[] Operations = ["get", "set", "evict"];

    private readonly Counter<long> _errors = Published(meters);
    private long _retryAtTicks;

    /// <summary>Replaces the registered store (the Redis one) by itself around it.</summary>
    public static void Decorate(IServiceCollection services, int lifetimeSeconds)
    {
        var registered = services.Last(service => service.ServiceType == typeof(IOutputCacheStore));
        services.Remove(registered);
        services.AddSingleton<IOutputCacheStore>(provider => new GuardedOutputCacheStore(
            registered.ImplementationInstance as IOutputCacheStore
                ?? registered.ImplementationFactory?.Invoke(provider) as IOutputCacheStore
                ?? (IOutputCacheStore)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!),
            provider.GetRequiredService<IMeterFactory>(), provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<GuardedOutputCacheStore>>(), lifetimeSeconds));
    }

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (Resting)
        {
            return null;
        }
        try
        {
            return await inner.GetAsync(key, cancellationToken).AsTask().WaitAsync(Timeout, clock, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed("get", e);
            return null;
        }
    }

    public async ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (Resting)
        {
            return;
        }
        try
        {
            await inner.SetAsync(key, value, tags, validFor, cancellationToken).AsTask().WaitAsync(Timeout, clock, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed("set", e);
        }
    }

    public async ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
    {
        try
        {
            await inner.EvictByTagAsync(tag, cancellationToken).AsTask().WaitAsync(Timeout, clock, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed("evict", e);
        }
    }

    private bool Resting => clock.GetUtcNow().UtcTicks < Interlocked.Read(ref _retryAtTicks);

    private void Failed(string operation, Exception error)
    {
        _errors.Add(1, new KeyValuePair<string, object?>("operation", operation));
        Interlocked.Exchange(ref _retryAtTicks, (clock.GetUtcNow() + RetryAfterFailure).UtcTicks);
        if (operation == "evict")
        {
            logger.LogError("The output cache store failed to evict the course lists after a course write ({Error}); the write stands, " +
                "and anonymous lists may show the old version for up to {Seconds} s", error.Message, lifetimeSeconds);
        }
        else
        {
            logger.LogWarning("The output cache store failed ({Operation}: {Error}); course lists are read from the database meanwhile",
                operation, error.Message);
        }
    }

    private static Counter<long> Published(IMeterFactory meters)
    {
        var counter = meters.Create("TrainingPlatform.Courses").CreateCounter<long>("output_cache_store.errors",
            description: "Output cache store calls that failed (a lookup missed, a page not kept, an eviction lost).");
        foreach (var operation in Operations)
        {
            counter.Add(0, new KeyValuePair<string, object?>("operation", operation));
        }
        return counter;
    }
}
