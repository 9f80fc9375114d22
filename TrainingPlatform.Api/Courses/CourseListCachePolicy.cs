using System.Globalization;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using TrainingPlatform.Api.Http;

namespace TrainingPlatform.Api.Courses;

/// <summary>
/// Which anonymous list requests the output cache may answer, and under which key. The key is the path and the page
/// as numbers (<c>limit=20&amp;offset=0</c>, <c>offset=00</c> and <c>offset=+0</c> are one entry), never the Host
/// header nor any other query parameter, so junk in a request cannot make a new entry. Only the first
/// <see cref="MaxCachedPages"/> pages, at offsets that are multiples of the limit (how clients page), are cached:
/// at most <see cref="Paging.MaxLimit"/> × <see cref="MaxCachedPages"/> pages per path and method, each at most
/// <see cref="CourseListCache.MaxCachedBytes"/>. Requests with a bad page answer 400 from the endpoint, uncached.
/// </summary>
/// <remarks>
/// As the framework's default policy: only GET and HEAD, never with an Authorization header or a signed-in user,
/// only 200 answers without cookies.
/// </remarks>
public sealed class CourseListCachePolicy(TimeSpan lifetime) : IOutputCachePolicy
{
    public const int MaxCachedPages = 10;

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var request = context.HttpContext.Request;
        var cacheable = (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && !request.Headers.ContainsKey(HeaderNames.Authorization)
            && context.HttpContext.User.Identity?.IsAuthenticated != true
            && CachedPage(request.Query) is not null;
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true;
        context.ResponseExpirationTimeSpan = lifetime;
        context.CacheVaryByRules.VaryByHost = false;
        if (cacheable && CachedPage(request.Query) is { } page)
        {
            context.CacheVaryByRules.VaryByValues["limit"] = page.Limit.ToString(CultureInfo.InvariantCulture);
            context.CacheVaryByRules.VaryByValues["offset"] = page.Offset.ToString(CultureInfo.InvariantCulture);
            context.Tags.Add(CourseListCache.Tag);
        }
        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var response = context.HttpContext.Response;
        if (response.StatusCode != StatusCodes.Status200OK || !StringValues.IsNullOrEmpty(response.Headers.SetCookie))
        {
            context.AllowCacheStorage = false;
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The page a request asks for, as the endpoint reads it (one value each, invariant integers, the same defaults),
    /// when it is one the cache keeps; null otherwise.
    /// </summary>
    internal static Paging? CachedPage(IQueryCollection query)
    {
        if (!Number(query, "limit", Paging.DefaultLimit, out var limit) || !Number(query, "offset", 0, out var offset)
            || limit is < 1 or > Paging.MaxLimit || offset < 0 || offset % limit != 0 || offset / limit >= MaxCachedPages)
        {
            return null;
        }
        return new Paging(limit, offset);
    }

    private static bool Number(IQueryCollection query, string name, int absent, out int value)
    {
        var values = query[name];
        value = absent;
        return values.Count switch
        {
            0 => true,
            1 => int.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }
}
