namespace TrainingPlatform.Api.Courses;

public static class CoursesServices
{
    public static IServiceCollection AddCourses(this IServiceCollection services) =>
        services
            .AddSingleton<CourseStore>()
            .AddSingleton<CourseAccess>()
            .AddSingleton<LessonStore>()
            .AddSingleton<EnrollmentStore>();
}
