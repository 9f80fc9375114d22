namespace TrainingPlatform.Api.Courses;

/// <summary>Courses: listed to everyone when published, created and edited by their instructor.</summary>
public static class CoursesApi
{
    public static IEndpointRouteBuilder MapCoursesApi(this IEndpointRouteBuilder app)
    {
        var courses = app.MapGroup("/api/v1/courses").WithTags("Courses");

        courses.MapGet("", List).CacheOutput(CourseListCache.Policy);
        courses.MapPost("", Create).RequireSignIn(Roles.Instructor).ProducesProblem(StatusCodes.Status403Forbidden).WithWriteRateLimit().WithOwnerQuota();
        courses.MapGet("/{id}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        courses.MapPut("/{id}", Replace).RequireOwnership().WithWriteRateLimit().WithOwnerQuota();
        courses.MapPatch("/{id}", Patch).RequireOwnership().WithWriteRateLimit().WithOwnerQuota();
        courses.MapDelete("/{id}", Delete).RequireOwnership().WithWriteRateLimit();

        return app;
    }

    [EndpointName("ListCourses")]
    [EndpointSummary("Published courses, plus the caller's own drafts (paged)")]
    private static Task<Results<JsonOk<Page<Course>>, ValidationProblem>> List(
        int? limit, int? offset, ClaimsPrincipal principal, CourseStore courses, CancellationToken cancellationToken) =>
        Paging.ListAsync(limit, offset, paging => courses.ListVisibleAsync(principal.IdOrNull(), paging, cancellationToken));

    [EndpointName("CreateCourse")]
    [EndpointSummary("Create a course (instructors only)")]
    private static async Task<Results<Created<Course>, ValidationProblem>> Create(
        CourseWrite body, ClaimsPrincipal principal, CourseStore courses, CancellationToken cancellationToken)
    {
        if (!body.TryValidate(out var valid, out var problem))
        {
            return problem;
        }
        var course = await courses.CreateAsync(principal.Id(), valid.Title, valid.Description, valid.Published, cancellationToken);
        return TypedResults.Created($"/api/v1/courses/{course.Id}", course);
    }

    [EndpointName("GetCourse")]
    [EndpointSummary("One course")]
    private static async Task<Results<JsonOk<Course>, ProblemHttpResult>> Get(
        long id, ClaimsPrincipal principal, CourseAccess access, CancellationToken cancellationToken) =>
        (await access.VisibleAsync(id, principal.IdOrNull(), cancellationToken)).IsRefused(out var course, out var problem)
            ? problem
            : JsonOk.Of(course);

    [EndpointName("ReplaceCourse")]
    [EndpointSummary("Replace a course's title, description and published flag (its instructor only)")]
    private static Task<Results<JsonOk<Course>, ValidationProblem, ProblemHttpResult>> Replace(
        long id, CourseWrite body, ClaimsPrincipal principal, CourseAccess access, CourseStore courses, CancellationToken cancellationToken) =>
        UpdateAsync(id, _ => body, principal, access, courses, cancellationToken);

    [EndpointName("PatchCourse")]
    [EndpointSummary("Change some of a course's fields (its instructor only)")]
    private static Task<Results<JsonOk<Course>, ValidationProblem, ProblemHttpResult>> Patch(
        long id, CourseWrite body, ClaimsPrincipal principal, CourseAccess access, CourseStore courses, CancellationToken cancellationToken) =>
        UpdateAsync(id, body.Over, principal, access, courses, cancellationToken);

    /// <summary>Replaces the course with <paramref name="next"/>'s fields, given the course as it is now.</summary>
    private static async Task<Results<JsonOk<Course>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, Func<Course, CourseWrite> next, ClaimsPrincipal principal, CourseAccess access, CourseStore courses,
        CancellationToken cancellationToken)
    {
        if ((await access.OwnedAsync(id, principal.Id(), cancellationToken)).IsRefused(out var current, out var refused))
        {
            return refused;
        }
        if (!next(current).TryValidate(out var valid, out var problem))
        {
            return problem;
        }
        return await courses.UpdateAsync(id, current.InstructorId, valid.Title, valid.Description, valid.Published, cancellationToken) is { } updated
            ? JsonOk.Of(updated)
            : ApiProblems.NotFound("Course");
    }

    [EndpointName("DeleteCourse")]
    [EndpointSummary("Delete a course with its lessons, enrollments and materials (its instructor only)")]
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        long id, ClaimsPrincipal principal, CourseAccess access, CourseStore courses, CancellationToken cancellationToken)
    {
        if ((await access.OwnedAsync(id, principal.Id(), cancellationToken)).IsRefused(out _, out var problem))
        {
            return problem;
        }
        await courses.DeleteAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }
}
