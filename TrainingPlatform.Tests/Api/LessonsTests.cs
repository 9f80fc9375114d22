namespace TrainingPlatform.Tests.Api;

public class LessonsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Lessons_come_back_in_order_and_can_be_moved_edited_and_deleted()
    {
        var (instructor, course) = await api.NewCourseAsync();
        var first = await instructor.AddLessonAsync(course.Id, "First");
        var second = await instructor.AddLessonAsync(course.Id, "Second");
        Assert.Equal((1, 2), (first.Position, second.Position));

        var moved = await instructor.Client.PutAsJsonAsync($"/api/v1/courses/{course.Id}/lessons/{first.Id}/",
            new { title = "First, revised", content = "More", position = 3 });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);

        using var anonymous = api.Anonymous();
        var lessons = (await anonymous.GetFromJsonAsync<List<LessonBody>>($"/api/v1/courses/{course.Id}/lessons/"))!;
        Assert.Equal(["Second", "First, revised"], lessons.Select(l => l.Title));
        var one = (await anonymous.GetFromJsonAsync<LessonBody>($"/api/v1/courses/{course.Id}/lessons/{first.Id}"))!;
        Assert.Equal(("More", 3), (one.Content, one.Position));

        Assert.Equal(HttpStatusCode.NoContent, (await instructor.Client.DeleteAsync($"/api/v1/courses/{course.Id}/lessons/{second.Id}/")).StatusCode);
        await (await anonymous.GetAsync($"/api/v1/courses/{course.Id}/lessons/{second.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await instructor.Client.DeleteAsync($"/api/v1/courses/{course.Id}/lessons/{second.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_the_courses_instructor_writes_lessons()
    {
        var (owner, course) = await api.NewCourseAsync();
        var lesson = await owner.AddLessonAsync(course.Id, "Mine");
        var learner = await api.NewAccountAsync();
        using var anonymous = api.Anonymous();
        var before = await api.CountAsync("lessons");

        await (await learner.Client.PostAsJsonAsync($"/api/v1/courses/{course.Id}/lessons", new { title = "x" })).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await learner.Client.PutAsJsonAsync($"/api/v1/courses/{course.Id}/lessons/{lesson.Id}", new { title = "x" })).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await learner.Client.DeleteAsync($"/api/v1/courses/{course.Id}/lessons/{lesson.Id}")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await anonymous.PostAsJsonAsync($"/api/v1/courses/{course.Id}/lessons", new { title = "x" })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(before, await api.CountAsync("lessons"));
    }

    [Fact]
    public async Task Lessons_of_someone_elses_draft_or_of_another_course_are_not_found()
    {
        var (owner, draft) = await api.NewCourseAsync(published: false);
        var lesson = await owner.AddLessonAsync(draft.Id, "Hidden");
        var other = await owner.CreateCourseAsync();
        using var anonymous = api.Anonymous();

        var emptyDraft = await owner.CreateCourseAsync(published: false);
        var learner = await api.NewAccountAsync();

        // The list with lessons and without: hidden or missing is 404, a visible course without lessons is empty.
        foreach (var client in new[] { anonymous, learner.Client })
        {
            await (await client.GetAsync($"/api/v1/courses/{draft.Id}/lessons")).AssertProblemAsync(HttpStatusCode.NotFound);
            await (await client.GetAsync($"/api/v1/courses/{emptyDraft.Id}/lessons")).AssertProblemAsync(HttpStatusCode.NotFound);
            await (await client.GetAsync($"/api/v1/courses/{long.MaxValue}/lessons")).AssertProblemAsync(HttpStatusCode.NotFound);
            Assert.Empty((await client.GetFromJsonAsync<List<LessonBody>>($"/api/v1/courses/{other.Id}/lessons"))!);
        }
        Assert.Equal(["Hidden"], (await owner.Client.GetFromJsonAsync<List<LessonBody>>($"/api/v1/courses/{draft.Id}/lessons"))!.Select(l => l.Title));
        Assert.Empty((await owner.Client.GetFromJsonAsync<List<LessonBody>>($"/api/v1/courses/{emptyDraft.Id}/lessons"))!);
        await (await anonymous.GetAsync($"/api/v1/courses/{draft.Id}/lessons/{lesson.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client.GetAsync($"/api/v1/courses/{other.Id}/lessons/{lesson.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client.PutAsJsonAsync($"/api/v1/courses/{other.Id}/lessons/{lesson.Id}", new { title = "x" })).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(0, "t", 10, "position")]
    [InlineData(10_001, "t", 10, "position")]
    [InlineData(1, "", 10, "title")]
    [InlineData(1, "t", 100_001, "content")]
    public async Task Invalid_lessons_get_field_errors_and_write_nothing(int position, string title, int contentLength, string field)
    {
        var (instructor, course) = await api.NewCourseAsync();
        var before = await api.CountAsync("lessons");

        var response = await instructor.Client.PostAsJsonAsync($"/api/v1/courses/{course.Id}/lessons",
            new { title, content = new string('c', contentLength), position });

        Assert.Equal([field], await response.AssertFieldErrorsAsync());
        Assert.Equal(before, await api.CountAsync("lessons"));
    }

    [Fact]
    public async Task An_invalid_lesson_id_is_a_400()
    {
        using var anonymous = api.Anonymous();
        Assert.Equal(["lessonId"], await (await anonymous.GetAsync("/api/v1/courses/1/lessons/first")).AssertFieldErrorsAsync());
    }
}
