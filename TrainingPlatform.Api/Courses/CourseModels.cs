namespace TrainingPlatform.Api.Courses;

public sealed record Course(long Id, string Title, string Description, bool Published, long InstructorId, DateTime CreatedAt, DateTime UpdatedAt)
{
    public bool IsOwnedBy(long? userId) => InstructorId == userId;

    /// <summary>Published courses are visible to everyone, drafts only to their instructor.</summary>
    public bool IsVisibleTo(long? userId) => Published || IsOwnedBy(userId);
}

/// <summary>The body of POST, PUT and PATCH on a course; for PATCH an absent (null) field stays as it is.</summary>
public sealed record CourseWrite(string? Title, string? Description, bool? Published);

public sealed record Lesson(long Id, long CourseId, int Position, string Title, string Content, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>The body of POST and PUT on a lesson; an absent position appends the lesson at the end.</summary>
public sealed record LessonWrite(string? Title, string? Content, int? Position);

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
