namespace TrainingPlatform.Tests.Api;

public class EnrollmentsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task A_learner_enrolls_completes_lessons_and_sees_progress()
    {
        var (_, course, lessons, learner) = await CourseWithLessonsAsync(4);

        var enroll = await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/enroll/", null);
        Assert.Equal(HttpStatusCode.Created, enroll.StatusCode);
        var enrollment = (await enroll.Content.ReadFromJsonAsync<EnrollmentBody>())!;
        Assert.Equal((course.Id, 0L, 4L, 0.0), (enrollment.CourseId, enrollment.CompletedLessons, enrollment.TotalLessons, enrollment.PercentComplete));

        await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/lessons/{lessons[0].Id}/complete/", null);
        var complete = await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/lessons/{lessons[1].Id}/complete", null);
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        var again = await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/lessons/{lessons[1].Id}/complete", null);
        var progress = (await again.Content.ReadFromJsonAsync<EnrollmentBody>())!;
        Assert.Equal((2L, 4L, 50.0), (progress.CompletedLessons, progress.TotalLessons, progress.PercentComplete));

        var mine = (await learner.Client.GetFromJsonAsync<PageBody<EnrollmentBody>>("/api/v1/enrollments/"))!;
        Assert.Equal(1, mine.Total);
        Assert.Equal(50.0, Assert.Single(mine.Items).PercentComplete);
    }

    [Fact]
    public async Task Progress_follows_lessons_added_and_deleted_and_completions_made_at_once()
    {
        var (instructor, course, lessons, learner) = await CourseWithLessonsAsync(6);
        Assert.Equal(HttpStatusCode.Created, (await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/enroll", null)).StatusCode);

        // Five completions at once, one of them twice: the counts are kept by the database, row by row.
        var completions = lessons.Take(5).Append(lessons[0])
            .Select(lesson => learner.Client.PostAsync($"/api/v1/courses/{course.Id}/lessons/{lesson.Id}/complete", null));
        Assert.All(await Task.WhenAll(completions), response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal((5L, 6L), await ProgressAsync());

        await instructor.AddLessonAsync(course.Id, "Lesson 7");
        Assert.Equal((5L, 7L), await ProgressAsync());
        // Deleting a completed lesson takes its completion with it.
        Assert.Equal(HttpStatusCode.NoContent, (await instructor.Client.DeleteAsync($"/api/v1/courses/{course.Id}/lessons/{lessons[0].Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await instructor.Client.DeleteAsync($"/api/v1/courses/{course.Id}/lessons/{lessons[5].Id}")).StatusCode);
        Assert.Equal((4L, 5L), await ProgressAsync());
        Assert.Equal(4, await api.CountAsync($"lesson_completions lc JOIN enrollments e ON e.id = lc.enrollment_id WHERE e.user_id = {learner.Id}"));
        Assert.Equal(5, await api.CountAsync($"lessons WHERE course_id = {course.Id}"));

        async Task<(long, long)> ProgressAsync()
        {
            var page = (await learner.Client.GetFromJsonAsync<PageBody<EnrollmentBody>>("/api/v1/enrollments"))!;
            var enrollment = Assert.Single(page.Items);
            return (enrollment.CompletedLessons, enrollment.TotalLessons);
        }
    }

    [Fact]
    public async Task Every_page_of_the_enrollments_carries_the_total_even_past_the_end()
    {
        var learner = await api.NewAccountAsync();
        var enrolled = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var (_, course) = await api.NewCourseAsync();
            Assert.Equal(HttpStatusCode.Created, (await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/enroll", null)).StatusCode);
            enrolled.Add(course.Id);
        }
        enrolled.Reverse();

        foreach (var (offset, items) in new[] { (0, enrolled.Take(2)), (2, enrolled.Skip(2)), (3, Enumerable.Empty<long>()), (50, Enumerable.Empty<long>()) })
        {
            var page = (await learner.Client.GetFromJsonAsync<PageBody<EnrollmentBody>>($"/api/v1/enrollments/?limit=2&offset={offset}"))!;
            Assert.Equal(3, page.Total);
            Assert.Equal(items, page.Items.Select(item => item.CourseId));
        }
        var none = (await (await api.NewAccountAsync()).Client.GetFromJsonAsync<PageBody<EnrollmentBody>>("/api/v1/enrollments/"))!;
        Assert.Equal((0L, 0), (none.Total, none.Items.Count));
    }

    [Fact]
    public async Task Enrolling_twice_is_a_conflict()
    {
        var (instructor, course) = await api.NewCourseAsync();
        var learner = await api.NewAccountAsync();
        Assert.Equal(HttpStatusCode.Created, (await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/enroll", null)).StatusCode);
        await (await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/enroll", null)).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Drafts_and_unknown_courses_cannot_be_enrolled_in()
    {
        var (instructor, draft) = await api.NewCourseAsync(published: false);
        var learner = await api.NewAccountAsync();
        await (await learner.Client.PostAsync($"/api/v1/courses/{draft.Id}/enroll", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await learner.Client.PostAsync("/api/v1/courses/987654321/enroll", null)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_course_back_in_draft_leaves_its_learners_enrollment_list_until_it_is_published_again()
    {
        var (instructor, course) = await api.NewCourseAsync(title: "Published title");
        var (_, other) = await api.NewCourseAsync(title: "Still published");
        var learner = await api.NewAccountAsync();
        Assert.Equal(HttpStatusCode.Created, (await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/enroll", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await learner.Client.PostAsync($"/api/v1/courses/{other.Id}/enroll", null)).StatusCode);

        var drafted = await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { title = "Secret draft title", published = false });
        Assert.Equal(HttpStatusCode.OK, drafted.StatusCode);

        // Like the draft's lessons (404), the enrollment is hidden whole: neither its new title nor that it exists.
        var body = await learner.Client.GetStringAsync("/api/v1/enrollments");
        Assert.DoesNotContain("Secret draft title", body);
        var mine = JsonSerializer.Deserialize<PageBody<EnrollmentBody>>(body, JsonSerializerOptions.Web)!;
        Assert.Equal((1L, other.Id), (mine.Total, Assert.Single(mine.Items).CourseId));
        // A full page is counted: the count hides the draft too.
        var counted = (await learner.Client.GetFromJsonAsync<PageBody<EnrollmentBody>>("/api/v1/enrollments?limit=1"))!;
        Assert.Equal((1L, other.Id), (counted.Total, Assert.Single(counted.Items).CourseId));
        await (await learner.Client.GetAsync($"/api/v1/courses/{course.Id}/lessons")).AssertProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.OK, (await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { published = true })).StatusCode);
        var again = (await learner.Client.GetFromJsonAsync<PageBody<EnrollmentBody>>("/api/v1/enrollments"))!;
        Assert.Equal([course.Id, other.Id], again.Items.Select(e => e.CourseId).Order().ToArray());
    }

    [Fact]
    public async Task Completing_needs_an_enrollment_and_a_lesson_of_the_course()
    {
        var (instructor, course) = await api.NewCourseAsync();
        var lesson = await instructor.AddLessonAsync(course.Id, "One");
        var learner = await api.NewAccountAsync();

        await (await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/lessons/{lesson.Id}/complete", null)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/enroll", null);
        await (await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/lessons/987654321/complete", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await api.CountAsync($"lesson_completions lc JOIN enrollments e ON e.id = lc.enrollment_id WHERE e.user_id = {learner.Id}"));
    }

    [Fact]
    public async Task Enrollments_need_a_signed_in_user_and_valid_paging()
    {
        using var anonymous = api.Anonymous();
        await (await anonymous.GetAsync("/api/v1/enrollments")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.PostAsync("/api/v1/courses/1/enroll", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        var learner = await api.NewAccountAsync();
        Assert.Equal(["limit"], await (await learner.Client.GetAsync("/api/v1/enrollments?limit=1000")).AssertFieldErrorsAsync());
    }

    /// <summary>A course with <paramref name="count"/> lessons ("Lesson 1" on) and a learner not yet enrolled in it.</summary>
    private async Task<(TestAccount Instructor, CourseBody Course, List<LessonBody> Lessons, TestAccount Learner)> CourseWithLessonsAsync(int count)
    {
        var (instructor, course) = await api.NewCourseAsync();
        var lessons = new List<LessonBody>();
        for (var i = 1; i <= count; i++)
        {
            lessons.Add(await instructor.AddLessonAsync(course.Id, "Lesson " + i));
        }
        return (instructor, course, lessons, await api.NewAccountAsync());
    }
}
