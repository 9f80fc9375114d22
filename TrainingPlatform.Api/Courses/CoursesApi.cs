using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using TrainingPlatform.Api.Accounts;
using TrainingPlatform.Api.Http;

namespace TrainingPlatform.Api.Courses;

/// <summary>Courses: listed to everyone when published, created and edited by their instructor.</summary>
public static class CoursesApi
{
    public static IEndpointRouteBuilder MapCoursesApi(this IEndpointRouteBuilder app)
    {
        var courses = app.MapGroup("/api/v1/courses").WithTags("Courses");

        courses.MapGet("", List)
            .WithName("ListCourses")
            .WithSummary("Published courses, plus the caller's own drafts (paged)")
            .CacheOutput(CourseListCache.Policy);

        courses.MapPost("", Create)
            .WithName("CreateCourse")
            .WithSummary("Create a course (instructors only)")
            .RequireAuthorization(Roles.Instructor)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        courses.MapGet("/{id}", Get)
            .WithName("GetCourse")
            .WithSummary("One course")
            .ProducesProblem(StatusCodes.Status404NotFound);

        courses.MapPut("/{id}", Replace)
            .WithName("ReplaceCourse")
            .WithSummary("Replace a course's title, description and published flag (its instructor only)")
            .RequireOwnership();

        courses.MapPatch("/{id}", Patch)
            .WithName("PatchCourse")
            .WithSummary("Change some of a course's fields (its instructor only)")
            .RequireOwnership();

        courses.MapDelete("/{id}", Delete)
            .WithName("DeleteCourse")
            .WithSummary("Delete a course with its lessons, enrollments and materials (its instructor only)")
            .RequireOwnership();

        courses.MapLessonsApi();
        app.MapEnrollmentsApi();
        return app;
    }

    /// <summary>Signed in, and the course must be the caller's: 401, 403 and 404 as documented responses.</summary>
    internal static RouteHandlerBuilder RequireOwnership(this RouteHandlerBuilder builder) =>
        builder
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Results<Ok<Page<Course>>, ValidationProblem>> List(
        int? limit, int? offset, ClaimsPrincipal principal, CourseStore courses, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var paging = Paging.From(limit, offset, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        return TypedResults.Ok(await courses.ListVisibleAsync(principal.IdOrNull(), paging, cancellationToken));
    }

    private static async Task<Results<Created<Course>, ValidationProblem>> Create(
        CourseWrite body, ClaimsPrincipal principal, CourseStore courses, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var (title, description, published) = Validate(body, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var course = await courses.CreateAsync(principal.Id(), title, description, published, cancellationToken);
        return TypedResults.Created($"/api/v1/courses/{course.Id}", course);
    }

    private static async Task<Results<Ok<Course>, ProblemHttpResult>> Get(
        long id, ClaimsPrincipal principal, CourseAccess access, CancellationToken cancellationToken) =>
        await access.VisibleAsync(id, principal.IdOrNull(), cancellationToken) is ({ } course, _)
            ? TypedResults.Ok(course)
            : ApiProblems.NotFound("Course");

    private static Task<Results<Ok<Course>, ValidationProblem, ProblemHttpResult>> Replace(
        long id, CourseWrite body, ClaimsPrincipal principal, CourseAccess access, CourseStore courses, CancellationToken cancellationToken) =>
        UpdateAsync(id, body, principal, access, courses, (_, errors) => Validate(body, errors), cancellationToken);

    private static Task<Results<Ok<Course>, ValidationProblem, ProblemHttpResult>> Patch(
        long id, CourseWrite body, ClaimsPrincipal principal, CourseAccess access, CourseStore courses, CancellationToken cancellationToken) =>
        UpdateAsync(id, body, principal, access, courses, (current, errors) => Validate(new CourseWrite(
            body.Title ?? current.Title, body.Description ?? current.Description, body.Published ?? current.Published), errors), cancellationToken);

    private static async Task<Results<Ok<Course>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, CourseWrite body, ClaimsPrincipal principal, CourseAccess access, CourseStore courses,
        Func<Course, FieldErrors, (string Title, string Description, bool Published)> validate, CancellationToken cancellationToken)
    {
        var (current, problem) = await access.OwnedAsync(id, principal.Id(), cancellationToken);
        if (current is null)
        {
            return problem!;
        }
        var errors = new FieldErrors();
        var (title, description, published) = validate(current, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        return await courses.UpdateAsync(id, title, description, published, cancellationToken) is { } updated
            ? TypedResults.Ok(updated)
            : ApiProblems.NotFound("Course");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        long id, ClaimsPrincipal principal, CourseAccess access, CourseStore courses, CancellationToken cancellationToken)
    {
        var (course, problem) = await access.OwnedAsync(id, principal.Id(), cancellationToken);
        if (course is null)
        {
            return problem!;
        }
        await courses.DeleteAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static (string Title, string Description, bool Published) Validate(CourseWrite body, FieldErrors errors) =>
    (
        errors.Required("title", body.Title?.Trim(), CourseLimits.Title),
        errors.MaxLength("description", body.Description ?? "", CourseLimits.Description),
        body.Published ?? false
    );
}
