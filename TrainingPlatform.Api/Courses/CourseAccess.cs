namespace TrainingPlatform.Api.Courses;

/// <summary>
/// Who may see and change a course. Someone else's draft answers 404, as if it did not exist; a visible course that
/// is not the caller's answers 403 to a change.
/// </summary>
public sealed class CourseAccess(CourseStore courses)
{
    public async Task<Checked<Course>> VisibleAsync(long id, long? userId, CancellationToken cancellationToken) =>
        await courses.FindAsync(id, cancellationToken) is { } course && course.IsVisibleTo(userId) ? course : ApiProblems.NotFound("Course");

    public async Task<Checked<Course>> OwnedAsync(long id, long userId, CancellationToken cancellationToken)
    {
        var visible = await VisibleAsync(id, userId, cancellationToken);
        return visible.IsRefused(out var course, out _) || course.IsOwnedBy(userId)
            ? visible
            : ApiProblems.Forbidden("Only the course's instructor may change it or its materials.");
    }

    /// <summary>Only a published course takes enrollments; a draft answers 404 even to its own instructor.</summary>
    public async Task<Checked<Course>> PublishedAsync(long id, CancellationToken cancellationToken) =>
        await courses.FindAsync(id, cancellationToken) is { Published: true } course ? course : ApiProblems.NotFound("Course");
}
