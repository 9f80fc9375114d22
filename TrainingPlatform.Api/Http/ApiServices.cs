using Scalar.AspNetCore;
using TrainingPlatform.Api.Courses;
using TrainingPlatform.Api.PasswordReset;
using TrainingPlatform.Api.Sessions;
using TrainingPlatform.Api.Uploads;

namespace TrainingPlatform.Api.Http;

public static class ApiServices
{
    /// <summary>Everything the API adds to the service defaults: database, features, bad-input handling, OpenAPI.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTrainingDatabase();
        builder.AddRateLimiting();
        builder.AddAccounts();
        builder.AddSessions();
        builder.AddPasswordReset();
        builder.Services.AddCourses(builder.Configuration);
        builder.AddCourseListCache();
        builder.AddUploads();
        builder.AddWarmUp();

        // Binding failures throw in every environment, so BadRequestHandler can answer them with a problem body.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<BadRequestHandler>();
        builder.Services.AddOpenApi(options => options
            .AddDocumentTransformer<BearerSecurityScheme>()
            .AddOperationTransformer<BearerSecurityRequirement>());
        return builder;
    }

    /// <summary>The warm-up before the server listens (<see cref="WarmUp"/>, run by <see cref="WarmUpAsync"/>).</summary>
    private static void AddWarmUp(this IHostApplicationBuilder builder) => builder.Services.AddSingleton<WarmUp>();

    /// <summary>Runs the hot read paths, through the app's own pipeline too, until compiled code and prepared statements are there; after the migrations.</summary>
    public static Task WarmUpAsync(this WebApplication app) =>
        app.Services.GetRequiredService<WarmUp>().RunAsync(app.Lifetime.ApplicationStopping, app);

    /// <summary>
    /// Every feature API, the OpenAPI document and (in Development) its reference page. Exception handling and problem
    /// bodies come from the service defaults, which run the handlers registered above.
    /// </summary>
    public static WebApplication MapApplicationApis(this WebApplication app)
    {
        app.MapAccountsApi();
        app.MapSessionsApi();
        // Changing (Sessions) and resetting (PasswordReset) a password share one group, so that its audit covers every
        // path under /api/v1/password, a probe for one that does not exist included.
        var passwords = app.MapGroup("/api/v1/password").WithTags("Passwords").WithSecurityAudit();
        passwords.MapPasswordChangeApi();
        passwords.MapPasswordResetApi();
        app.MapCoursesApi();
        app.MapLessonsApi();
        app.MapEnrollmentsApi();
        app.MapUploadsApi();
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }
        return app;
    }
}
