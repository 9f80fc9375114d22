using Microsoft.AspNetCore.OutputCaching;

namespace TrainingPlatform.Api.Courses;

/// <summary>
/// Anonymous pages of the course list come from the output cache; every course write evicts them all (one tag), so
/// the next list shows the change. Signed-in callers, who also see their own drafts, always go to the database
/// (<see cref="CourseListCachePolicy"/>).
/// </summary>
/// <remarks>
/// With an <c>output-cache</c> connection string (a Redis-protocol server of its own, bounded by <c>maxmemory</c>
/// with LRU eviction, apart from the rate limits' <c>cache</c>, which never evicts) the entries and their eviction
/// are shared by every replica. Without one each replica keeps its own in memory: a write evicts only the replica
/// that served it, and other replicas show the change within <c>Courses:ListCacheSeconds</c> (default 10; 0 turns the
/// cache off). The same bound covers the one race of any cache beside a database (a list read before a write commits
/// and stored just after its eviction), an eviction that failed (<see cref="GuardedOutputCacheStore"/>), and an
/// eviction's tag set dropped by the store's LRU.
/// </remarks>
public static class CourseListCache
{
    public const string Policy = "published-courses";
    public const string Tag = "courses";
    public const string RedisConnectionName = "output-cache";
    public const int DefaultSeconds = 10;

    /// <summary>A page larger than this is served and not kept: with the page rules it bounds what the cache can hold.</summary>
    public const int MaxCachedBytes = 256 * 1024;

    public static IHostApplicationBuilder AddCourseListCache(this IHostApplicationBuilder builder)
    {
        var seconds = builder.Configuration.GetValue("Courses:ListCacheSeconds", DefaultSeconds);
        builder.Services.AddOutputCache(options =>
        {
            options.MaximumBodySize = MaxCachedBytes;
            if (seconds > 0)
            {
                options.AddPolicy(Policy, new CourseListCachePolicy(TimeSpan.FromSeconds(seconds)));
            }
            else
            {
                options.AddPolicy(Policy, policy => policy.NoCache());
            }
        });
        if (builder.Configuration.GetConnectionString(RedisConnectionName) is { Length: > 0 } redis)
        {
            builder.Services.AddStackExchangeRedisOutputCache(options => options.Configuration = redis);
            GuardedOutputCacheStore.Decorate(builder.Services, seconds);
        }
        return builder;
    }

    /// <summary>Forgets every cached page; called once a course write has committed. Never throws (see <see cref="GuardedOutputCacheStore"/>).</summary>
    public static Task EvictAsync(this IOutputCacheStore store) =>
        // Not cancellable: the write is committed, and a stale page must not outlive it because the caller left.
        store.EvictByTagAsync(Tag, CancellationToken.None).AsTask();
}
