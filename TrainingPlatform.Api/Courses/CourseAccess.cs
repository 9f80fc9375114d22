using Microsoft.AspNetCore.Http.HttpResults;
using TrainingPlatform.Api.Http;

namespace TrainingPlatform.Api.Courses;

/// <summary>
/// Who may see and change a course. Someone else's draft answers 404, as if it did not exist; a visible course that
/// is not the caller's answers 403 to a change.
/// </summary>
public sealed class CourseAccess(CourseStore courses)
{
    public async Task<(Course? Course, ProblemHttpResult? Problem)> VisibleAsync(long id, long? userId, CancellationToken cancellationToken)
    {
        var course = await courses.FindAsync(id, cancellationToken);
        return course is not null && course.IsVisibleTo(userId) ? (course, null) : (null, ApiProblems.NotFound("Course"));
    }

    public async Task<(Course? Course, ProblemHttpResult? Problem)> OwnedAsync(long id, long userId, CancellationToken cancellationToken)
    {
        var (course, problem) = await VisibleAsync(id, userId, cancellationToken);
        return course is null || course.IsOwnedBy(userId)
            ? (course, problem)
            : (null, ApiProblems.Forbidden("Only the course's instructor may change it or its materials."));
    }
}
