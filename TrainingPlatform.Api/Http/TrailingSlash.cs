namespace TrainingPlatform.Api.Http;

/// <summary>
/// Routes are mapped without a trailing slash; this strips one before routing so <c>/api/v1/courses/</c> and
/// <c>/api/v1/courses</c> reach the same endpoint and report the same route template. A startup filter, because
/// it must run ahead of the routing middleware that <see cref="WebApplication"/> puts first.
/// </summary>
internal sealed class TrailingSlash : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            var path = context.Request.Path.Value;
            if (path is { Length: > 1 } && path[^1] == '/')
            {
                context.Request.Path = new PathString(path.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/");
            }
            return nextMiddleware(context);
        });
        next(app);
    };
}
