namespace TrainingPlatform.Api.Courses;

/// <summary>Enrolling in published courses, completing lessons, and one's progress.</summary>
public static class EnrollmentsApi
{
    public static IEndpointRouteBuilder MapEnrollmentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1").WithTags("Enrollments").RequireSignIn();

        group.MapPost("/courses/{id}/enroll", Enroll)
            .WithWriteRateLimit()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/enrollments", ListMine);
        group.MapPost("/courses/{id}/lessons/{lessonId}/complete", Complete)
            .WithWriteRateLimit()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    [EndpointName("Enroll")]
    [EndpointSummary("Enroll the caller in a published course")]
    private static async Task<Results<Created<Enrollment>, ProblemHttpResult>> Enroll(
        long id, ClaimsPrincipal principal, CourseAccess access, EnrollmentStore enrollments, CancellationToken cancellationToken)
    {
        if ((await access.PublishedAsync(id, cancellationToken)).IsRefused(out _, out var problem))
        {
            return problem;
        }
        return await enrollments.EnrollAsync(principal.Id(), id, cancellationToken) is { } enrollment
            ? TypedResults.Created("/api/v1/enrollments", enrollment)
            : ApiProblems.Conflict("You are already enrolled in this course.");
    }

    [EndpointName("ListEnrollments")]
    [EndpointSummary("The caller's enrollments with progress (paged)")]
    private static Task<Results<JsonOk<Page<Enrollment>>, ValidationProblem>> ListMine(
        int? limit, int? offset, ClaimsPrincipal principal, EnrollmentStore enrollments, CancellationToken cancellationToken) =>
        Paging.ListAsync(limit, offset, paging => enrollments.ListAsync(principal.Id(), paging, cancellationToken));

    [EndpointName("CompleteLesson")]
    [EndpointSummary("Mark a lesson complete and return the enrollment's progress")]
    private static async Task<Results<JsonOk<Enrollment>, ProblemHttpResult>> Complete(
        long id, long lessonId, ClaimsPrincipal principal, CourseAccess access, LessonStore lessons, EnrollmentStore enrollments,
        CancellationToken cancellationToken)
    {
        var userId = principal.Id();
        if ((await access.VisibleAsync(id, userId, cancellationToken)).IsRefused(out _, out var problem))
        {
            return problem;
        }
        if (await enrollments.FindAsync(userId, id, cancellationToken) is not { } enrollment)
        {
            return ApiProblems.Forbidden("Enroll in the course before completing its lessons.");
        }
        if (await lessons.FindAsync(id, lessonId, cancellationToken) is null)
        {
            return ApiProblems.NotFound("Lesson");
        }
        return JsonOk.Of(await enrollments.CompleteAsync(enrollment.Id, lessonId, cancellationToken));
    }
}
