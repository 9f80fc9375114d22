namespace TrainingPlatform.Api.Courses;

/// <summary>A course's ordered lessons: readable with the course, written by its instructor.</summary>
public static class LessonsApi
{
    public static IEndpointRouteBuilder MapLessonsApi(this IEndpointRouteBuilder app)
    {
        var lessons = app.MapGroup("/api/v1/courses/{id}/lessons").WithTags("Lessons");

        lessons.MapGet("", List).ProducesProblem(StatusCodes.Status404NotFound);
        lessons.MapPost("", Create).RequireOwnership().WithWriteRateLimit().WithOwnerQuota();
        lessons.MapGet("/{lessonId}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        lessons.MapPut("/{lessonId}", Replace).RequireOwnership().WithWriteRateLimit().WithOwnerQuota();
        lessons.MapDelete("/{lessonId}", Delete).RequireOwnership().WithWriteRateLimit();

        return app;
    }

    [EndpointName("ListLessons")]
    [EndpointSummary("The course's lessons in order")]
    private static async Task<Results<JsonOk<IReadOnlyList<Lesson>>, ProblemHttpResult>> List(
        long id, ClaimsPrincipal principal, CourseAccess access, LessonStore lessons, CancellationToken cancellationToken)
    {
        var list = await lessons.ListVisibleAsync(id, principal.IdOrNull(), cancellationToken);
        // No lesson shown: the course is hidden or missing (404), or has none yet.
        return list.Count == 0 && (await access.VisibleAsync(id, principal.IdOrNull(), cancellationToken)).IsRefused(out _, out var problem)
            ? problem
            : JsonOk.Of(list);
    }

    [EndpointName("CreateLesson")]
    [EndpointSummary("Add a lesson, at a given position or at the end (the course's instructor only)")]
    private static async Task<Results<Created<Lesson>, ValidationProblem, ProblemHttpResult>> Create(
        long id, LessonWrite body, ClaimsPrincipal principal, CourseAccess access, LessonStore lessons, CancellationToken cancellationToken)
    {
        if ((await access.OwnedAsync(id, principal.Id(), cancellationToken)).IsRefused(out var course, out var refused))
        {
            return refused;
        }
        if (!body.TryValidate(out var valid, out var problem))
        {
            return problem;
        }
        var lesson = await lessons.CreateAsync(course.InstructorId, id, valid.Title, valid.Content, valid.Position, cancellationToken);
        return TypedResults.Created($"/api/v1/courses/{id}/lessons/{lesson.Id}", lesson);
    }

    [EndpointName("GetLesson")]
    [EndpointSummary("One lesson")]
    private static async Task<Results<JsonOk<Lesson>, ProblemHttpResult>> Get(
        long id, long lessonId, ClaimsPrincipal principal, CourseAccess access, LessonStore lessons, CancellationToken cancellationToken)
    {
        if ((await access.VisibleAsync(id, principal.IdOrNull(), cancellationToken)).IsRefused(out _, out var problem))
        {
            return problem;
        }
        return await lessons.FindAsync(id, lessonId, cancellationToken) is { } lesson ? JsonOk.Of(lesson) : ApiProblems.NotFound("Lesson");
    }

    [EndpointName("ReplaceLesson")]
    [EndpointSummary("Replace a lesson's title, content and position (the course's instructor only)")]
    private static async Task<Results<JsonOk<Lesson>, ValidationProblem, ProblemHttpResult>> Replace(
        long id, long lessonId, LessonWrite body, ClaimsPrincipal principal, CourseAccess access, LessonStore lessons,
        CancellationToken cancellationToken)
    {
        if ((await access.OwnedAsync(id, principal.Id(), cancellationToken)).IsRefused(out var course, out var refused))
        {
            return refused;
        }
        if (!body.TryValidate(out var valid, out var problem))
        {
            return problem;
        }
        return await lessons.UpdateAsync(course.InstructorId, id, lessonId, valid.Title, valid.Content, valid.Position, cancellationToken) is { } lesson
            ? JsonOk.Of(lesson)
            : ApiProblems.NotFound("Lesson");
    }

    [EndpointName("DeleteLesson")]
    [EndpointSummary("Delete a lesson (the course's instructor only)")]
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        long id, long lessonId, ClaimsPrincipal principal, CourseAccess access, LessonStore lessons, CancellationToken cancellationToken)
    {
        if ((await access.OwnedAsync(id, principal.Id(), cancellationToken)).IsRefused(out _, out var problem))
        {
            return problem;
        }
        return await lessons.DeleteAsync(id, lessonId, cancellationToken) > 0 ? TypedResults.NoContent() : ApiProblems.NotFound("Lesson");
    }
}
