namespace TrainingPlatform.Api.Courses;

/// <summary>
/// What one instructor may hold, from the <c>Courses</c> configuration section: <c>MaxCoursesPerOwner</c> (default
/// 1000), <c>MaxLessonsPerCourse</c> (default 1000) and <c>MaxContentBytesPerOwner</c> (default 256 MiB), the UTF-8
/// bytes of the titles and descriptions of their courses and the titles and contents of those courses' lessons.
/// Over any → 409, see <see cref="CourseQuota"/>.
/// </summary>
public sealed record CourseQuotaSettings(int MaxCoursesPerOwner, int MaxLessonsPerCourse, long MaxContentBytesPerOwner)
{
    public const int DefaultMaxCoursesPerOwner = 1000;
    public const int DefaultMaxLessonsPerCourse = 1000;
    public const long DefaultMaxContentBytesPerOwner = 256L * 1024 * 1024;

    public static CourseQuotaSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Courses");
        var settings = new CourseQuotaSettings(
            section.GetValue("MaxCoursesPerOwner", DefaultMaxCoursesPerOwner),
            section.GetValue("MaxLessonsPerCourse", DefaultMaxLessonsPerCourse),
            section.GetValue("MaxContentBytesPerOwner", DefaultMaxContentBytesPerOwner));
        if (settings.MaxCoursesPerOwner < 1 || settings.MaxLessonsPerCourse < 1 || settings.MaxContentBytesPerOwner < 1)
        {
            throw new InvalidOperationException(
                "Courses:MaxCoursesPerOwner, Courses:MaxLessonsPerCourse and Courses:MaxContentBytesPerOwner must each be at least 1.");
        }
        return settings;
    }
}
