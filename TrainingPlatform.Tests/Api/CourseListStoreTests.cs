using TrainingPlatform.Api.Courses;
using TrainingPlatform.Api.Http;
using TrainingPlatform.Tests.ServiceDefaults;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// The course list's output cache in its own real redis-server, bounded as the stack bounds it: junk in anonymous
/// requests cannot make new entries, and a store that stops never fails a course write.
/// </summary>
public class CourseListStoreTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Three_thousand_junk_list_queries_add_a_bounded_number_of_entries()
    {
        await using var store = await RedisServer.StartAsync(CacheServers.Pages);
        Assert.Equal("allkeys-lru", await store.ConfigAsync("maxmemory-policy"));
        await using var api = await StartApiAsync(store);
        var before = await store.KeyCountAsync();

        // Spellings of a few pages (zeros, signs, repeats), other hosts, parameters the endpoint ignores, pages past
        // the cached ones and bad values: before the key was normalised each spelling was an entry of its own, so
        // three times the bound below is enough to tell.
        var junk = Enumerable.Range(0, 3_000).Select(i =>
        {
            var limit = 1 + i % Paging.MaxLimit;
            var offset = limit * (i % 13);
            return (Path: $"/api/v1/courses?limit={new string('0', i % 4)}{limit}&offset={(i % 3 == 0 ? "+" : "")}{offset}&junk{i}={i}",
                Host: $"junk{i}.example.test");
        });
        using var client = api.CreateHttpClient();
        await Parallel.ForEachAsync(junk, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (query, cancellation) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, query.Path);
            request.Headers.Host = query.Host;
            using var response = await client.SendAsync(request, cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });

        // At most one entry per cached page (every limit, its first ten pages: all of them here) and the store's two
        // keys of its own (the tag's set of entries and the index of tags).
        var added = await store.KeyCountAsync() - before;
        Assert.InRange(added, 1, Paging.MaxLimit * CourseListCachePolicy.MaxCachedPages + 2);
    }

    [Fact]
    public async Task With_the_store_stopped_a_course_write_answers_200_and_the_change_shows()
    {
        var store = await RedisServer.StartAsync(CacheServers.Pages);
        await using var api = await StartApiAsync(store);
        using var anonymous = api.CreateHttpClient();
        var instructor = await TestAccounts.NewAsync(() => api.CreateHttpClient(), "instructor");
        var course = await instructor.CreateCourseAsync(title: "Before the outage");
        Assert.Equal("Before the outage", await TitleAsync(anonymous, course.Id));
        Assert.Equal("Before the outage", await TitleAsync(anonymous, course.Id));

        await store.DisposeAsync();
        using var patched = await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { title = "During the outage" });

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("During the outage", await TitleAsync(anonymous, course.Id));
        var metrics = await PrometheusText.ScrapeUntilAsync(anonymous,
            m => m.ValueOrZero("output_cache_store_errors_total", ("operation", "evict")) >= 1, Bound);
        Assert.True(metrics.Value("output_cache_store_errors_total", ("operation", "evict")) >= 1);
        await Wait.UntilAsync(() => api.LogLines.Any(IsEvictionFailure), Bound, "the failed eviction's log line");
        Assert.Contains("\"LogLevel\":\"Error\"", api.LogLines.First(IsEvictionFailure));
    }

    private static bool IsEvictionFailure(string line) => line.Contains("failed to evict the course lists", StringComparison.Ordinal);

    /// <summary>The API with the page cache in <paramref name="store"/>, pages kept an hour: only evictions change them.</summary>
    private static async Task<ApiProcess> StartApiAsync(RedisServer store)
    {
        var postgres = await PostgresServer.SharedAsync();
        return await ApiProcess.StartAsync(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["ConnectionStrings:output-cache"] = store.ConnectionString,
            ["Courses:ListCacheSeconds"] = "3600",
        });
    }

    private static async Task<string> TitleAsync(HttpClient client, long id)
    {
        var page = (await client.GetFromJsonAsync<PageBody<CourseBody>>("/api/v1/courses?limit=100"))!;
        return page.Items.Single(course => course.Id == id).Title;
    }
}
