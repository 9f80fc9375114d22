namespace TrainingPlatform.Tests.Api;

public class CoursesTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task An_instructor_creates_a_course_that_anyone_can_read_once_published()
    {
        var instructor = await api.NewAccountAsync("instructor");
        var response = await instructor.Client.PostAsJsonAsync("/api/v1/courses",
            new { title = "  Backups that restore  ", description = "Why pg_dump is not enough.", published = true });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var course = (await response.Content.ReadFromJsonAsync<CourseBody>())!;
        Assert.Equal($"/api/v1/courses/{course.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("Backups that restore", course.Title);
        Assert.Equal(instructor.Id, course.InstructorId);

        using var anonymous = api.Anonymous();
        Assert.Equal(course, await anonymous.GetFromJsonAsync<CourseBody>($"/api/v1/courses/{course.Id}/"));
        Assert.Equal(course, await anonymous.GetFromJsonAsync<CourseBody>($"/api/v1/courses/{course.Id}"));
    }

    [Fact]
    public async Task Learners_cannot_create_courses_and_strangers_must_sign_in()
    {
        var learner = await api.NewAccountAsync();
        var before = await api.CountAsync("courses");
        await (await learner.Client.PostAsJsonAsync("/api/v1/courses", new { title = "Mine" })).AssertProblemAsync(HttpStatusCode.Forbidden);
        using var anonymous = api.Anonymous();
        await (await anonymous.PostAsJsonAsync("/api/v1/courses", new { title = "Mine" })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(before, await api.CountAsync("courses"));
    }

    [Theory]
    [InlineData("""{"description":"no title"}""", "title")]
    [InlineData("""{"title":"   "}""", "title")]
    [InlineData("""{"title":"ok","published":"yes"}""", "published")]
    [InlineData("""{"title":["a"]}""", "title")]
    [InlineData("""{"title":"ok","description":42}""", "description")]
    [InlineData("""{"title":"ok",""", "body")]
    public async Task Invalid_courses_get_field_errors_and_write_nothing(string body, string field)
    {
        var instructor = await api.NewAccountAsync("instructor");
        var before = await api.CountAsync("courses");
        var response = await instructor.Client.PostAsync("/api/v1/courses", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal([field], await response.AssertFieldErrorsAsync());
        Assert.Equal(before, await api.CountAsync("courses"));
    }

    [Fact]
    public async Task Over_long_title_and_description_are_rejected()
    {
        var instructor = await api.NewAccountAsync("instructor");
        var response = await instructor.Client.PostAsJsonAsync("/api/v1/courses",
            new { title = new string('t', 201), description = new string('d', 10_001) });
        Assert.Equal(["description", "title"], await response.AssertFieldErrorsAsync());
    }

    [Fact]
    public async Task Drafts_are_visible_only_to_their_instructor()
    {
        var (instructor, draft) = await api.NewCourseAsync(published: false);
        var learner = await api.NewAccountAsync();

        await (await learner.Client.GetAsync($"/api/v1/courses/{draft.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await instructor.Client.GetAsync($"/api/v1/courses/{draft.Id}")).StatusCode);

        Assert.Contains(draft.Id, await ListedIdsAsync(instructor.Client));
        Assert.DoesNotContain(draft.Id, await ListedIdsAsync(learner.Client));
    }

    [Fact]
    public async Task A_draft_becomes_visible_to_everyone_once_its_instructor_publishes_it()
    {
        var (instructor, draft) = await api.NewCourseAsync(published: false, title: "Not ready yet");
        var learner = await api.NewAccountAsync();
        using var anonymous = api.Anonymous();

        Assert.False(draft.Published);
        await (await anonymous.GetAsync($"/api/v1/courses/{draft.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await learner.Client.GetAsync($"/api/v1/courses/{draft.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await learner.Client.PostAsync($"/api/v1/courses/{draft.Id}/enroll", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(draft.Id, await ListedIdsAsync(anonymous));
        Assert.DoesNotContain(draft.Id, await ListedIdsAsync(learner.Client));

        var publish = await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{draft.Id}", new { published = true });

        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        var published = (await publish.Content.ReadFromJsonAsync<CourseBody>())!;
        Assert.Equal(draft with { Published = true, UpdatedAt = published.UpdatedAt }, published);
        Assert.Equal(published, await anonymous.GetFromJsonAsync<CourseBody>($"/api/v1/courses/{draft.Id}"));
        Assert.Equal(published, await learner.Client.GetFromJsonAsync<CourseBody>($"/api/v1/courses/{draft.Id}"));
        Assert.Contains(draft.Id, await ListedIdsAsync(anonymous));
        Assert.Contains(draft.Id, await ListedIdsAsync(learner.Client));
        Assert.Equal(HttpStatusCode.Created, (await learner.Client.PostAsync($"/api/v1/courses/{draft.Id}/enroll", null)).StatusCode);
    }

    [Fact]
    public async Task The_course_list_is_paged_with_a_total()
    {
        var instructor = await api.NewAccountAsync("instructor");
        for (var i = 0; i < 3; i++)
        {
            await instructor.CreateCourseAsync(title: "Paged " + i);
        }
        using var anonymous = api.Anonymous();
        var all = (await anonymous.GetFromJsonAsync<PageBody<CourseBody>>("/api/v1/courses/?limit=100"))!;

        var page = (await anonymous.GetFromJsonAsync<PageBody<CourseBody>>("/api/v1/courses?limit=2&offset=1"))!;

        Assert.Equal(all.Total, page.Total);
        Assert.Equal(2, page.Limit);
        Assert.Equal(1, page.Offset);
        Assert.Equal(all.Items.Skip(1).Take(2).Select(c => c.Id), page.Items.Select(c => c.Id));
        Assert.Equal(20, (await anonymous.GetFromJsonAsync<PageBody<CourseBody>>("/api/v1/courses"))!.Limit);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=-5", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=99999999999999", "limit")]
    [InlineData("offset=-1", "offset")]
    [InlineData("offset=1.5", "offset")]
    public async Task Bad_paging_is_a_400(string query, string field)
    {
        using var anonymous = api.Anonymous();
        Assert.Equal([field], await (await anonymous.GetAsync("/api/v1/courses?" + query)).AssertFieldErrorsAsync());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999999")]
    public async Task An_invalid_course_id_is_a_400(string id)
    {
        using var anonymous = api.Anonymous();
        Assert.Equal(["id"], await (await anonymous.GetAsync($"/api/v1/courses/{id}")).AssertFieldErrorsAsync());
    }

    [Fact]
    public async Task An_unknown_course_is_a_404()
    {
        using var anonymous = api.Anonymous();
        await (await anonymous.GetAsync("/api/v1/courses/987654321")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_instructor_replaces_and_patches_a_course()
    {
        var (instructor, course) = await api.NewCourseAsync(published: false);

        var put = await instructor.Client.PutAsJsonAsync($"/api/v1/courses/{course.Id}/",
            new { title = "Replaced", description = "New text", published = true });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var replaced = (await put.Content.ReadFromJsonAsync<CourseBody>())!;
        Assert.Equal(("Replaced", "New text", true), (replaced.Title, replaced.Description, replaced.Published));
        Assert.True(replaced.UpdatedAt >= course.UpdatedAt);

        var patch = await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { published = false });
        var patched = (await patch.Content.ReadFromJsonAsync<CourseBody>())!;
        Assert.Equal(("Replaced", "New text", false), (patched.Title, patched.Description, patched.Published));

        var invalid = await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { title = "" });
        Assert.Equal(["title"], await invalid.AssertFieldErrorsAsync());
        Assert.Equal("Replaced", (await instructor.Client.GetFromJsonAsync<CourseBody>($"/api/v1/courses/{course.Id}"))!.Title);
    }

    [Fact]
    public async Task Nobody_else_may_change_or_delete_a_course()
    {
        var (owner, course) = await api.NewCourseAsync();
        var otherInstructor = await api.NewAccountAsync("instructor");
        var learner = await api.NewAccountAsync();
        using var anonymous = api.Anonymous();

        foreach (var client in new[] { otherInstructor.Client, learner.Client })
        {
            await (await client.PutAsJsonAsync($"/api/v1/courses/{course.Id}", new { title = "Hijacked" })).AssertProblemAsync(HttpStatusCode.Forbidden);
            await (await client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { title = "Hijacked" })).AssertProblemAsync(HttpStatusCode.Forbidden);
            await (await client.DeleteAsync($"/api/v1/courses/{course.Id}")).AssertProblemAsync(HttpStatusCode.Forbidden);
        }
        await (await anonymous.DeleteAsync($"/api/v1/courses/{course.Id}")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(course.Title, (await anonymous.GetFromJsonAsync<CourseBody>($"/api/v1/courses/{course.Id}"))!.Title);
    }

    [Fact]
    public async Task Deleting_a_course_removes_it_and_its_lessons()
    {
        var (instructor, course) = await api.NewCourseAsync();
        await instructor.AddLessonAsync(course.Id, "Only lesson");

        Assert.Equal(HttpStatusCode.NoContent, (await instructor.Client.DeleteAsync($"/api/v1/courses/{course.Id}/")).StatusCode);

        await (await instructor.Client.GetAsync($"/api/v1/courses/{course.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await instructor.Client.GetAsync($"/api/v1/courses/{course.Id}/lessons")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await instructor.Client.DeleteAsync($"/api/v1/courses/{course.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private static async Task<long[]> ListedIdsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<PageBody<CourseBody>>("/api/v1/courses?limit=100"))!.Items.Select(course => course.Id).ToArray();
}
