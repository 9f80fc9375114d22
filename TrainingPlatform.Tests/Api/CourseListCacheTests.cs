namespace TrainingPlatform.Tests.Api;

/// <summary>
/// A cache lifetime far longer than any test takes, so "still cached" cannot turn into "expired" on a busy machine:
/// only an eviction may change what the anonymous list shows.
/// </summary>
public sealed class LongCacheApiFixture() : ApiFixture(new Dictionary<string, string?> { ["Courses:ListCacheSeconds"] = "3600" });

/// <summary>
/// The anonymous course list is served from the output cache, evicted by every course write: a write shows in the
/// next list, a draft never reaches an anonymous list, and one caller's view is never served to another.
/// </summary>
public class CourseListCacheTests(LongCacheApiFixture api) : IClassFixture<LongCacheApiFixture>
{
    private const string List = "/api/v1/courses/?limit=100";

    [Fact]
    public async Task The_anonymous_list_is_cached_and_a_course_write_shows_in_the_next_list()
    {
        var (instructor, course) = await api.NewCourseAsync(title: "Cached title");
        using var anonymous = api.Anonymous();
        Assert.Equal("Cached title", (await TitlesAsync(anonymous))[course.Id]);

        // Behind the API's back: the cached page does not see it, which shows the page is really cached.
        await ExecuteAsync($"UPDATE courses SET title = 'Changed in SQL' WHERE id = {course.Id}");
        Assert.Equal("Cached title", (await TitlesAsync(anonymous))[course.Id]);

        // Through the API: the write evicts the cached pages, so the next list has it.
        var patched = await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { title = "Patched title" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("Patched title", (await TitlesAsync(anonymous))[course.Id]);

        var created = await instructor.CreateCourseAsync(title: "Brand new");
        Assert.Equal("Brand new", (await TitlesAsync(anonymous))[created.Id]);

        Assert.Equal(HttpStatusCode.NoContent, (await instructor.Client.DeleteAsync($"/api/v1/courses/{created.Id}")).StatusCode);
        Assert.DoesNotContain(created.Id, await TitlesAsync(anonymous));
    }

    [Fact]
    public async Task A_draft_never_reaches_the_anonymous_list_through_the_cache()
    {
        var (instructor, draft) = await api.NewCourseAsync(published: false, title: "Secret draft");
        using var anonymous = api.Anonymous();

        // The instructor's own list (with the draft) first, then the anonymous one for the same address.
        Assert.Contains(draft.Id, await TitlesAsync(instructor.Client));
        Assert.DoesNotContain(draft.Id, await TitlesAsync(anonymous));
        Assert.Contains(draft.Id, await TitlesAsync(instructor.Client));
        Assert.DoesNotContain(draft.Id, await TitlesAsync(anonymous));

        await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{draft.Id}", new { published = true });
        Assert.Contains(draft.Id, await TitlesAsync(anonymous));
        await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{draft.Id}", new { published = false });
        Assert.DoesNotContain(draft.Id, await TitlesAsync(anonymous));
    }

    [Fact]
    public async Task One_callers_list_is_never_served_to_another()
    {
        var first = await api.NewAccountAsync("instructor");
        var second = await api.NewAccountAsync("instructor");
        var learner = await api.NewAccountAsync();
        var firstDraft = await first.CreateCourseAsync(published: false, title: "First's draft");
        var secondDraft = await second.CreateCourseAsync(published: false, title: "Second's draft");

        for (var round = 0; round < 2; round++)
        {
            var firstSees = await TitlesAsync(first.Client);
            var secondSees = await TitlesAsync(second.Client);
            var learnerSees = await TitlesAsync(learner.Client);
            Assert.True(firstSees.ContainsKey(firstDraft.Id) && !firstSees.ContainsKey(secondDraft.Id));
            Assert.True(secondSees.ContainsKey(secondDraft.Id) && !secondSees.ContainsKey(firstDraft.Id));
            Assert.False(learnerSees.ContainsKey(firstDraft.Id) || learnerSees.ContainsKey(secondDraft.Id));
        }
    }

    [Fact]
    public async Task A_cached_list_carries_its_own_requests_id_not_the_first_callers()
    {
        await api.NewCourseAsync(title: "Request ids");
        using var anonymous = api.Anonymous();

        var first = await ListWithRequestIdAsync(anonymous, "first-caller-1");
        var second = await ListWithRequestIdAsync(anonymous, "second-caller-2");

        Assert.Equal("first-caller-1", first.RequestId);
        // Age is the output cache's mark of a replayed response: the second answer came from the cache.
        Assert.True(second.FromCache, "the second list was not served from the cache");
        Assert.Equal("second-caller-2", second.RequestId);
    }

    private static async Task<(string RequestId, bool FromCache)> ListWithRequestIdAsync(HttpClient client, string requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/courses/?limit=7");
        request.Headers.Add(RequestId.HeaderName, requestId);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (Assert.Single(response.Headers.GetValues(RequestId.HeaderName)), response.Headers.Age is not null);
    }

    private static async Task<Dictionary<long, string>> TitlesAsync(HttpClient client)
    {
        var page = (await client.GetFromJsonAsync<PageBody<CourseBody>>(List))!;
        return page.Items.ToDictionary(course => course.Id, course => course.Title);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
