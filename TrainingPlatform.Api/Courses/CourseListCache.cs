using Microsoft.AspNetCore.OutputCaching;

namespace TrainingPlatform.Api.Courses;

/// <summary>
/// Anonymous pages of the course list come from the output cache; every course write evicts them all (one tag), so
/// the next list shows the change. Signed-in callers, who also see their own drafts, always go to the database:
/// the framework's default policy never caches a request with an Authorization header or an authenticated user.
/// </summary>
/// <remarks>
/// With a <c>cache</c> connection string (Redis) the entries and their eviction are shared by every replica.
/// Without one each replica keeps its own in memory: a write evicts only the replica that served it, and other
/// replicas show the change within <c>Courses:ListCacheSeconds</c> (default 10; 0 turns the cache off). The same
/// bound covers the one race of any cache beside a database: a list read before a write commits and stored just
/// after its eviction.
/// </remarks>
public static class CourseListCache
{
    public const string Policy = "published-courses";
    public const string Tag = "courses";
    public const string RedisConnectionName = "cache";
    public const int DefaultSeconds = 10;

    public static IHostApplicationBuilder AddCourseListCache(this IHostApplicationBuilder builder)
    {
        var seconds = builder.Configuration.GetValue("Courses:ListCacheSeconds", DefaultSeconds);
        builder.Services.AddOutputCache(options => options.AddPolicy(Policy, policy =>
        {
            if (seconds <= 0)
            {
                policy.NoCache();
                return;
            }
            policy.Expire(TimeSpan.FromSeconds(seconds)).SetVaryByQuery("limit", "offset").Tag(Tag);
        }));
        if (builder.Configuration.GetConnectionString(RedisConnectionName) is { Length: > 0 } redis)
        {
            builder.Services.AddStackExchangeRedisOutputCache(options => options.Configuration = redis);
        }
        return builder;
    }

    /// <summary>Forgets every cached page; called once a course write has committed.</summary>
    public static Task EvictAsync(this IOutputCacheStore store) =>
        // Not cancellable: the write is committed, and a stale page must not outlive it because the caller left.
        store.EvictByTagAsync(Tag, CancellationToken.None).AsTask();
}
