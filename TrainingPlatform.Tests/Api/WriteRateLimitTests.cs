namespace TrainingPlatform.Tests.Api;

/// <summary>A low write rate, so that a few course, lesson and enrollment writes reach it.</summary>
public sealed class WriteRateApiFixture() : ApiFixture(new Dictionary<string, string?>
{
    ["RateLimits:WritePermitLimit"] = WriteRateLimitTests.PerWindow.ToString(),
    ["RateLimits:WriteWindowSeconds"] = WriteRateLimitTests.WindowSeconds.ToString(),
});

public class WriteRateLimitTests(WriteRateApiFixture api) : IClassFixture<WriteRateApiFixture>
{
    public const int PerWindow = 3;
    public const int WindowSeconds = 300;

    [Fact]
    public async Task Course_and_lesson_writes_beyond_the_rate_are_a_429_with_retry_after_that_stores_nothing_and_others_go_on()
    {
        var instructor = await api.NewAccountAsync("instructor");
        var course = await instructor.CreateCourseAsync();
        await instructor.AddLessonAsync(course.Id, "One");
        Assert.Equal(HttpStatusCode.OK, (await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { description = "v2" })).StatusCode);
        var before = await Rows.ChecksumsAsync(api.ConnectionString);

        var refused = await instructor.Client.PostAsJsonAsync($"/api/v1/courses/{course.Id}/lessons", new { title = "Two", content = "flood" });

        await AssertRateLimitedAsync(refused);
        Assert.Equal(before, await Rows.ChecksumsAsync(api.ConnectionString));
        // Every write route counts in the same budget; reads do not.
        await AssertRateLimitedAsync(await instructor.Client.PostAsJsonAsync("/api/v1/courses", new { title = "More", description = "" }));
        await AssertRateLimitedAsync(await instructor.Client.DeleteAsync($"/api/v1/courses/{course.Id}"));
        Assert.Equal(HttpStatusCode.OK, (await instructor.Client.GetAsync($"/api/v1/courses/{course.Id}/lessons")).StatusCode);
        var other = await api.NewAccountAsync("instructor");
        await other.CreateCourseAsync();
    }

    [Fact]
    public async Task Enrollment_and_progress_writes_share_the_learners_budget()
    {
        var (instructor, course) = await api.NewCourseAsync();
        var lesson = await instructor.AddLessonAsync(course.Id, "One");
        var learner = await api.NewAccountAsync();
        Assert.Equal(HttpStatusCode.Created, (await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/enroll", null)).StatusCode);
        for (var i = 1; i < PerWindow; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/lessons/{lesson.Id}/complete", null)).StatusCode);
        }

        await AssertRateLimitedAsync(await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/lessons/{lesson.Id}/complete", null));
        Assert.Equal(HttpStatusCode.OK, (await learner.Client.GetAsync("/api/v1/enrollments")).StatusCode);
    }

    [Fact]
    public async Task Two_replicas_on_one_shared_store_give_a_user_the_write_budget_once_not_twice()
    {
        await using var store = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?>(ApiFixture.Settings)
        {
            ["ConnectionStrings:cache"] = store.ConnectionString,
            ["RateLimits:WritePermitLimit"] = PerWindow.ToString(),
            ["RateLimits:WriteWindowSeconds"] = WindowSeconds.ToString(),
        };
        await using var first = await ApiServer.StartAsync(settings, connectionString: api.ConnectionString);
        await using var second = await ApiServer.StartAsync(settings, connectionString: api.ConnectionString);
        var instructor = await TestAccounts.NewAsync(first.CreateHttpClient, "instructor");
        using var other = second.CreateHttpClient();
        other.DefaultRequestHeaders.Authorization = instructor.Client.DefaultRequestHeaders.Authorization;

        // Alternating replicas, as a load balancer would: each has seen at most two writes when the fourth comes.
        var course = await instructor.CreateCourseAsync();
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsJsonAsync($"/api/v1/courses/{course.Id}/lessons", new { title = "One", content = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { description = "v2" })).StatusCode);

        await AssertRateLimitedAsync(await other.PostAsJsonAsync($"/api/v1/courses/{course.Id}/lessons", new { title = "Two", content = "" }));
    }

    private static async Task AssertRateLimitedAsync(HttpResponseMessage response)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("Too many requests", problem.GetProperty("title").GetString());
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter > TimeSpan.Zero && retryAfter <= TimeSpan.FromSeconds(WindowSeconds), $"429 must say when to retry, within the window: {retryAfter}");
    }
}
