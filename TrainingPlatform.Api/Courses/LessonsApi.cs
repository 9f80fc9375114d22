using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using TrainingPlatform.Api.Accounts;
using TrainingPlatform.Api.Http;

namespace TrainingPlatform.Api.Courses;

/// <summary>A course's ordered lessons: readable with the course, written by its instructor.</summary>
public static class LessonsApi
{
    internal static RouteGroupBuilder MapLessonsApi(this RouteGroupBuilder courses)
    {
        var lessons = courses.MapGroup("/{id}/lessons").WithTags("Lessons");

        lessons.MapGet("", List)
            .WithName("ListLessons")
            .WithSummary("The course's lessons in order")
            .ProducesProblem(StatusCodes.Status404NotFound);

        lessons.MapPost("", Create)
            .WithName("CreateLesson")
            .WithSummary("Add a lesson, at a given position or at the end (the course's instructor only)")
            .RequireOwnership();

        lessons.MapGet("/{lessonId}", Get)
            .WithName("GetLesson")
            .WithSummary("One lesson")
            .ProducesProblem(StatusCodes.Status404NotFound);

        lessons.MapPut("/{lessonId}", Replace)
            .WithName("ReplaceLesson")
            .WithSummary("Replace a lesson's title, content and position (the course's instructor only)")
            .RequireOwnership();

        lessons.MapDelete("/{lessonId}", Delete)
            .WithName("DeleteLesson")
            .WithSummary("Delete a lesson (the course's instructor only)")
            .RequireOwnership();

        return courses;
    }

    private static async Task<Results<Ok<IReadOnlyList<Lesson>>, ProblemHttpResult>> List(
        long id, ClaimsPrincipal principal, CourseAccess access, LessonStore lessons, CancellationToken cancellationToken) =>
        (await access.VisibleAsync(id, principal.IdOrNull(), cancellationToken)).IsRefused(out _, out var problem)
            ? problem
            : TypedResults.Ok(await lessons.ListAsync(id, cancellationToken));

    private static async Task<Results<Created<Lesson>, ValidationProblem, ProblemHttpResult>> Create(
        long id, LessonWrite body, ClaimsPrincipal principal, CourseAccess access, LessonStore lessons, CancellationToken cancellationToken)
    {
        if ((await access.OwnedAsync(id, principal.Id(), cancellationToken)).IsRefused(out _, out var refused))
        {
            return refused;
        }
        if (!body.TryValidate(out var valid, out var problem))
        {
            return problem;
        }
        var lesson = await lessons.CreateAsync(id, valid.Title, valid.Content, valid.Position, cancellationToken);
        return TypedResults.Created($"/api/v1/courses/{id}/lessons/{lesson.Id}", lesson);
    }

    private static async Task<Results<Ok<Lesson>, ProblemHttpResult>> Get(
        long id, long lessonId, ClaimsPrincipal principal, CourseAccess access, LessonStore lessons, CancellationToken cancellationToken)
    {
        if ((await access.VisibleAsync(id, principal.IdOrNull(), cancellationToken)).IsRefused(out _, out var problem))
        {
            return problem;
        }
        return await lessons.FindAsync(id, lessonId, cancellationToken) is { } lesson ? TypedResults.Ok(lesson) : ApiProblems.NotFound("Lesson");
    }

    private static async Task<Results<Ok<Lesson>, ValidationProblem, ProblemHttpResult>> Replace(
        long id, long lessonId, LessonWrite body, ClaimsPrincipal principal, CourseAccess access, LessonStore lessons,
        CancellationToken cancellationToken)
    {
        if ((await access.OwnedAsync(id, principal.Id(), cancellationToken)).IsRefused(out _, out var refused))
        {
            return refused;
        }
        if (!body.TryValidate(out var valid, out var problem))
        {
            return problem;
        }
        return await lessons.UpdateAsync(id, lessonId, valid.Title, valid.Content, valid.Position, cancellationToken) is { } lesson
            ? TypedResults.Ok(lesson)
            : ApiProblems.NotFound("Lesson");
    }

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
