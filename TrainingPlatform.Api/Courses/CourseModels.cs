namespace TrainingPlatform.Api.Courses;

public sealed record Course(long Id, string Title, string Description, bool Published, long InstructorId, DateTime CreatedAt, DateTime UpdatedAt)
{
    public bool IsOwnedBy(long? userId) => InstructorId == userId;

    /// <summary>Published courses are visible to everyone, drafts only to their instructor.</summary>
    public bool IsVisibleTo(long? userId) => Published || IsOwnedBy(userId);
}

/// <summary>The body of POST, PUT and PATCH on a course; for PATCH an absent (null) field stays as it is.</summary>
public sealed record CourseWrite(string? Title, string? Description, bool? Published)
    : IValidatable<(string Title, string Description, bool Published)>
{
    /// <summary>The whole course a PATCH asks for: this body's fields over <paramref name="current"/>'s.</summary>
    public CourseWrite Over(Course current) =>
        new(Title ?? current.Title, Description ?? current.Description, Published ?? current.Published);

    public (string Title, string Description, bool Published) Validate(FieldErrors errors) =>
    (
        errors.Required("title", Title?.Trim(), CourseLimits.Title),
        errors.MaxLength("description", Description ?? "", CourseLimits.Description),
        Published ?? false
    );
}

public sealed record Lesson(long Id, long CourseId, int Position, string Title, string Content, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>The body of POST and PUT on a lesson; an absent position appends the lesson at the end.</summary>
public sealed record LessonWrite(string? Title, string? Content, int? Position)
    : IValidatable<(string Title, string Content, int? Position)>
{
    public (string Title, string Content, int? Position) Validate(FieldErrors errors)
    {
        if (Position is < 1 or > CourseLimits.MaxPosition)
        {
            errors.Add("position", $"Must be between 1 and {CourseLimits.MaxPosition}.");
        }
        return (errors.Required("title", Title?.Trim(), CourseLimits.Title),
            errors.MaxLength("content", Content ?? "", CourseLimits.LessonContent),
            Position);
    }
}

public sealed record Enrollment(long Id, long CourseId, string CourseTitle, DateTime EnrolledAt, long CompletedLessons, long TotalLessons)
{
    public double PercentComplete => TotalLessons == 0 ? 0 : Math.Round(100.0 * CompletedLessons / TotalLessons, 1);
}

public static class CourseLimits
{
    public const int Title = 200;
    public const int Description = 10_000;
    public const int LessonContent = 100_000;
    public const int MaxPosition = 10_000;
}
