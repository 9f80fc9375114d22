using TrainingPlatform.Api.Courses;
using TrainingPlatform.Api.RateLimiting;

namespace TrainingPlatform.Tests.Api;

/// <summary>Small per-owner course quotas, so that a few writes reach them.</summary>
public sealed class CourseQuotaApiFixture() : ApiFixture(new Dictionary<string, string?>
{
    ["Courses:MaxCoursesPerOwner"] = CourseQuotaTests.MaxCourses.ToString(),
    ["Courses:MaxLessonsPerCourse"] = CourseQuotaTests.MaxLessons.ToString(),
    ["Courses:MaxContentBytesPerOwner"] = CourseQuotaTests.MaxContentBytes.ToString(),
});

public class CourseQuotaTests(CourseQuotaApiFixture api) : IClassFixture<CourseQuotaApiFixture>
{
    public const int MaxCourses = 2;
    public const int MaxLessons = 2;
    public const int MaxContentBytes = 1000;

    [Fact]
    public async Task One_course_over_the_count_limit_is_a_409_naming_it_and_nothing_is_stored()
    {
        var (instructor, _) = await api.NewCourseAsync();
        await instructor.CreateCourseAsync();
        var before = await Rows.ChecksumsAsync(api.ConnectionString);

        var problem = await (await instructor.PostCourseAsync("One too many")).AssertProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal("Courses:MaxCoursesPerOwner", problem.GetProperty("limit").GetString());
        Assert.Equal(before, await Rows.ChecksumsAsync(api.ConnectionString));
        // The quota is the owner's: another instructor still has all of theirs.
        var other = await api.NewAccountAsync("instructor");
        Assert.Equal(HttpStatusCode.Created, (await other.PostCourseAsync("Someone else's")).StatusCode);
    }

    [Fact]
    public async Task One_lesson_over_the_course_limit_is_a_409_naming_it_and_another_course_still_takes_lessons()
    {
        var (instructor, course) = await api.NewCourseAsync();
        for (var i = 1; i <= MaxLessons; i++)
        {
            await instructor.AddLessonAsync(course.Id, "Lesson " + i);
        }
        var before = await Rows.ChecksumsAsync(api.ConnectionString);

        var response = await instructor.Client.PostAsJsonAsync($"/api/v1/courses/{course.Id}/lessons", new { title = "One too many", content = "x" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("Courses:MaxLessonsPerCourse", problem.GetProperty("limit").GetString());
        Assert.Equal(before, await Rows.ChecksumsAsync(api.ConnectionString));
        var second = await instructor.CreateCourseAsync();
        await instructor.AddLessonAsync(second.Id, "First of the second course");
    }

    [Fact]
    public async Task Content_over_the_owners_bytes_is_a_409_naming_it_on_create_and_on_update_and_nothing_changes()
    {
        var (instructor, course) = await api.NewCourseAsync();
        var used = Utf8(course.Title) + Utf8(course.Description);
        // Counted in UTF-8 bytes, not characters: 'é' is two.
        var fits = new string('é', (MaxContentBytes - used - Utf8("Big")) / 2);
        var before = await Rows.ChecksumsAsync(api.ConnectionString);

        var tooBig = await instructor.Client.PostAsJsonAsync($"/api/v1/courses/{course.Id}/lessons", new { title = "Big", content = fits + "é" });
        var problem = await tooBig.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("Courses:MaxContentBytesPerOwner", problem.GetProperty("limit").GetString());
        Assert.Equal(before, await Rows.ChecksumsAsync(api.ConnectionString));

        var lesson = await instructor.Client.PostAsJsonAsync($"/api/v1/courses/{course.Id}/lessons", new { title = "Big", content = fits });
        Assert.Equal(HttpStatusCode.Created, lesson.StatusCode);
        var full = await Rows.ChecksumsAsync(api.ConnectionString);
        var longer = await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { description = course.Description + "!!" });
        Assert.Equal("Courses:MaxContentBytesPerOwner", (await longer.AssertProblemAsync(HttpStatusCode.Conflict)).GetProperty("limit").GetString());
        Assert.Equal(full, await Rows.ChecksumsAsync(api.ConnectionString));
        // At the limit, what adds nothing still goes through: unpublishing, and a shorter description.
        Assert.Equal(HttpStatusCode.OK, (await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { published = false })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { description = "" })).StatusCode);
    }

    [Theory]
    [InlineData("courses")]
    [InlineData("lessons")]
    public async Task Parallel_creations_cannot_both_take_the_last_free_place(string what)
    {
        // One course with one lesson: one free place left of each (MaxCourses and MaxLessons are 2).
        var (instructor, course) = await api.NewCourseAsync();
        await instructor.AddLessonAsync(course.Id, "First");
        var (route, rows) = what == "courses"
            ? ("/api/v1/courses", $"courses WHERE instructor_id = {instructor.Id}")
            : ($"/api/v1/courses/{course.Id}/lessons", $"lessons WHERE course_id = {course.Id}");
        // The test holds the owner's quota lock, so all four creations are seen waiting for it at once before any may
        // count: they really overlap. Without the lock each would count one and all would be stored.
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await OwnerQuotaLock.HoldAsync(connection, CourseQuota.LockSpace, instructor.Id);

        var creating = Enumerable.Range(0, 4)
            .Select(i => instructor.Client.PostAsJsonAsync(route, new { title = $"Racing {i}", description = "", content = "", published = true }))
            .ToArray();
        await Wait.UntilAsync(async () => await OwnerQuotaLock.WaitingAsync(connection, CourseQuota.LockSpace, instructor.Id) == 4,
            TimeSpan.FromSeconds(30), $"four {what} waiting for the owner's quota lock");
        await OwnerQuotaLock.ReleaseAsync(connection, CourseQuota.LockSpace, instructor.Id);
        var responses = await Task.WhenAll(creating);

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(what == "courses" ? MaxCourses : MaxLessons, await api.CountAsync(rows));
    }

    [Fact]
    public void The_api_readme_states_the_defaults_the_code_uses()
    {
        var readme = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "TrainingPlatform.Api", "README.md"));
        string DefaultOf(string key) => readme.Single(line => line.StartsWith($"| `{key}`", StringComparison.Ordinal)).Split('|')[2].Trim().Split(' ')[0];

        Assert.Equal(CourseQuotaSettings.DefaultMaxCoursesPerOwner.ToString(), DefaultOf("Courses:MaxCoursesPerOwner"));
        Assert.Equal(CourseQuotaSettings.DefaultMaxLessonsPerCourse.ToString(), DefaultOf("Courses:MaxLessonsPerCourse"));
        Assert.Equal(CourseQuotaSettings.DefaultMaxContentBytesPerOwner.ToString(), DefaultOf("Courses:MaxContentBytesPerOwner"));
        // The write limit's default is checked with every other limit's, in the README's rate-limit table (RateLimitTests).
    }

    private static int Utf8(string text) => Encoding.UTF8.GetByteCount(text);
}
