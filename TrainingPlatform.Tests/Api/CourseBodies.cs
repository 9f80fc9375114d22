namespace TrainingPlatform.Tests.Api;

public sealed record CourseBody(long Id, string Title, string Description, bool Published, long InstructorId, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record LessonBody(long Id, long CourseId, int Position, string Title, string Content);

public sealed record EnrollmentBody(long Id, long CourseId, DateTime EnrolledAt, long CompletedLessons, long TotalLessons, double PercentComplete);

public sealed record PageBody<T>(List<T> Items, long Total, int Limit, int Offset);

public static class CourseRequests
{
    /// <summary>A new instructor and a course of theirs: the opening of most course, lesson, enrollment and upload tests.</summary>
    public static async Task<(TestAccount Instructor, CourseBody Course)> NewCourseAsync(this ApiFixture api, bool published = true, string title = "Intro to Postgres")
    {
        var instructor = await api.NewAccountAsync("instructor");
        return (instructor, await instructor.CreateCourseAsync(published, title));
    }

    /// <summary>The course creation request itself, for tests that look at its answer whatever it is (429, 409, 503).</summary>
    public static Task<HttpResponseMessage> PostCourseAsync(this TestAccount instructor, string title) =>
        instructor.Client.PostAsJsonAsync("/api/v1/courses", new { title, description = "", published = true });

    public static async Task<CourseBody> CreateCourseAsync(this TestAccount instructor, bool published = true, string title = "Intro to Postgres")
    {
        var response = await instructor.Client.PostAsJsonAsync("/api/v1/courses/", new { title, description = "Tables, indexes, backups.", published });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CourseBody>())!;
    }

    public static async Task<LessonBody> AddLessonAsync(this TestAccount instructor, long courseId, string title, int? position = null)
    {
        var response = await instructor.Client.PostAsJsonAsync($"/api/v1/courses/{courseId}/lessons/", new { title, content = "# " + title, position });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<LessonBody>())!;
    }
}
