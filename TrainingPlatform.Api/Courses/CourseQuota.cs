using System.Globalization;
using System.Text;

namespace TrainingPlatform.Api.Courses;

/// <summary>
/// What one instructor may hold (<see cref="CourseQuotaSettings"/>), checked as <see cref="OwnerQuota"/> says: every
/// course and lesson write of an owner takes the owner's lock first. A write that adds no bytes (publishing, a
/// shorter text) always goes through, so an owner over a lowered limit can still tidy up.
/// </summary>
public sealed class CourseQuota(CourseQuotaSettings settings)
{
    /// <summary>The courses' key space of the owner's lock ("CRSE").</summary>
    public const int LockSpace = 0x43_52_53_45;

    private const string Title = "Course quota exceeded";

    // What counts toward MaxContentBytesPerOwner, row by row; octet_length reads a stored value's size without detoasting it.
    private const string CourseBytes = "octet_length(title)::bigint + octet_length(description)";
    private const string LessonBytes = "octet_length(title)::bigint + octet_length(content)";

    private sealed record Usage(long Courses, long Lessons, long ContentBytes, long ReplacedBytes);

    /// <summary>A new course (<paramref name="replacing"/> null) or new fields for the owner's course <paramref name="replacing"/>.</summary>
    public async Task ReserveCourseAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long ownerId, string title, string description,
        long? replacing, CancellationToken cancellationToken)
    {
        var usage = await LockAndMeasureAsync(connection, transaction, ownerId, null, replacing, null, cancellationToken);
        if (replacing is null && usage.Courses + 1 > settings.MaxCoursesPerOwner)
        {
            throw new QuotaExceededException(Title, "Courses:MaxCoursesPerOwner",
                $"You already have {usage.Courses} courses, the most one instructor may have ({settings.MaxCoursesPerOwner}).");
        }
        CheckBytes(usage, Utf8(title) + Utf8(description));
    }

    /// <summary>A new lesson in <paramref name="courseId"/> (<paramref name="replacing"/> null) or new fields for its lesson <paramref name="replacing"/>.</summary>
    public async Task ReserveLessonAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long ownerId, long courseId, string title,
        string content, long? replacing, CancellationToken cancellationToken)
    {
        var usage = await LockAndMeasureAsync(connection, transaction, ownerId, courseId, null, replacing, cancellationToken);
        if (replacing is null && usage.Lessons + 1 > settings.MaxLessonsPerCourse)
        {
            throw new QuotaExceededException(Title, "Courses:MaxLessonsPerCourse",
                $"This course already has {usage.Lessons} lessons, the most one course may have ({settings.MaxLessonsPerCourse}).");
        }
        CheckBytes(usage, Utf8(title) + Utf8(content));
    }

    private async Task<Usage> LockAndMeasureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long ownerId, long? courseId,
        long? replacedCourseId, long? replacedLessonId, CancellationToken cancellationToken)
    {
        await connection.LockOwnerAsync(transaction, LockSpace, ownerId, cancellationToken);
        return await connection.QuerySingleAsync<Usage>(new CommandDefinition(
            $"""
            SELECT (SELECT count(*) FROM courses WHERE instructor_id = @ownerId) AS Courses,
                   (SELECT count(*) FROM lessons WHERE course_id = @courseId) AS Lessons,
                   ((SELECT coalesce(sum({CourseBytes}), 0) FROM courses WHERE instructor_id = @ownerId)
                    + (SELECT coalesce(sum({LessonBytes}), 0) FROM lessons WHERE course_id IN (SELECT id FROM courses WHERE instructor_id = @ownerId))
                   )::bigint AS ContentBytes,
                   coalesce((SELECT {CourseBytes} FROM courses WHERE id = @replacedCourseId AND instructor_id = @ownerId),
                            (SELECT {LessonBytes} FROM lessons WHERE id = @replacedLessonId AND course_id = @courseId), 0) AS ReplacedBytes
            """, new { ownerId, courseId, replacedCourseId, replacedLessonId }, transaction, cancellationToken: cancellationToken));
    }

    private void CheckBytes(Usage usage, long bytes)
    {
        var total = usage.ContentBytes - usage.ReplacedBytes + bytes;
        if (bytes > usage.ReplacedBytes && total > settings.MaxContentBytesPerOwner)
        {
            throw new QuotaExceededException(Title, "Courses:MaxContentBytesPerOwner", string.Create(CultureInfo.InvariantCulture,
                $"Your courses and lessons hold {usage.ContentBytes} bytes of text; this write would bring them to {total}, past the {settings.MaxContentBytesPerOwner} one instructor may hold."));
        }
    }

    private static long Utf8(string text) => Encoding.UTF8.GetByteCount(text);
}
