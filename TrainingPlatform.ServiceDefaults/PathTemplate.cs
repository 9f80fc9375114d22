using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Routing;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>The route pattern a request matched (<c>/api/v1/courses/{id}</c>), never the raw path, so labels stay bounded.</summary>
internal static class PathTemplate
{
    private static readonly ConditionalWeakTable<Endpoint, string> Templates = new();

    /// <summary>
    /// The endpoint that served the request. The exception handler clears the endpoint before writing its
    /// response, but keeps the original on its feature, so a 500 is still labelled with its route.
    /// </summary>
    public static Endpoint? EndpointOf(HttpContext context) =>
        context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;

    public static string Of(Endpoint? endpoint) =>
        endpoint is RouteEndpoint route ? Templates.GetValue(route, static e => Normalise(((RouteEndpoint)e).RoutePattern.RawText)) : HttpMeasures.Unmatched;

    private static string Normalise(string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return HttpMeasures.Unmatched;
        }
        var trimmed = raw.Trim('/');
        return "/" + trimmed;
    }
}
