namespace TrainingPlatform.Api.Courses;

/// <summary>
/// Who may see and change a course. The draft rule: a draft (a course never published, or unpublished again) is its
/// instructor's alone, with everything it holds. To anyone else, its enrolled learners included, it answers as if it
/// did not exist: 404 for the course, its lessons and its materials, and no row in their enrollments, until it is
/// published again. A visible course that is not the caller's answers 403 to a change.
/// </summary>
public sealed class CourseAccess(CourseStore courses)
{
    /// <summary>The draft rule (<see cref="Course.IsVisibleTo"/>) in SQL: the row <paramref name="course"/> is visible to the user id in <paramref name="user"/>.</summary>
    public static string VisibleSql(string course, string user) => $"({course}.published OR {course}.instructor_id = {user})";

    /// <summary>
    /// Who may read a course's materials, in SQL: its instructor, and learners enrolled in it while the draft rule lets
    /// them see it.
    /// </summary>
    public static string ReaderSql(string course, string user) =>
        $"({VisibleSql(course, user)} AND ({course}.instructor_id = {user} OR EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = {course}.id AND e.user_id = {user})))";

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
