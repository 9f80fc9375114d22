namespace TrainingPlatform.Api.Courses;

public static class CoursesServices
{
    public static IServiceCollection AddCourses(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddSingleton(CourseQuotaSettings.From(configuration))
            .AddSingleton<CourseQuota>()
            .AddSingleton<CourseStore>()
            .AddSingleton<CourseAccess>()
            .AddSingleton<LessonStore>()
            .AddSingleton<EnrollmentStore>();
}
