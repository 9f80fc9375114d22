using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

// Beside RequireAuthorization and the other endpoint conventions, so mapping code needs no using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Marks endpoints whose every 4xx answer is a security event (<c>sensitive_4xx</c>): credentials, tokens, uploads.
/// The service declares it where it maps the routes, so renaming a route keeps it audited.
/// </summary>
public static class SecurityAudit
{
    /// <summary>
    /// Audits this endpoint, or every endpoint of this group. A request under the group's routes that matches none
    /// of them (a probe for <c>/api/v1/auth/admin</c>, a wrong method) is audited too: the group's reach is the
    /// literal route prefix its endpoints share.
    /// </summary>
    public static TBuilder WithSecurityAudit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        var marker = new SecurityAuditMetadata();
        builder.Add(endpoint => endpoint.Metadata.Add(marker));
        return builder;
    }

    /// <summary>Whether the endpoint was declared security-sensitive.</summary>
    public static bool IsAudited(Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<SecurityAuditMetadata>() is not null;

    /// <summary>
    /// The path prefixes the audited endpoints cover: for each <see cref="WithSecurityAudit{TBuilder}"/> call, the
    /// literal segments that all of its endpoints' routes begin with (<c>/api/v1/token</c> for <c>/api/v1/token</c>
    /// and <c>/api/v1/token/refresh</c>).
    /// </summary>
    internal static IReadOnlyList<string> Reach(EndpointDataSource endpoints) =>
        endpoints.Endpoints.OfType<RouteEndpoint>()
            .Select(endpoint => (Marker: endpoint.Metadata.GetMetadata<SecurityAuditMetadata>(), Literal: LiteralSegments(endpoint.RoutePattern)))
            .Where(audited => audited.Marker is not null)
            .GroupBy(audited => audited.Marker, audited => audited.Literal)
            .Select(group => "/" + string.Join('/', group.Aggregate(CommonPrefix)))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();

    private static string[] LiteralSegments(RoutePattern pattern) =>
        pattern.PathSegments
            .TakeWhile(segment => segment.IsSimple && segment.Parts[0] is RoutePatternLiteralPart)
            .Select(segment => ((RoutePatternLiteralPart)segment.Parts[0]).Content)
            .ToArray();

    private static string[] CommonPrefix(string[] first, string[] second) =>
        first.Zip(second).TakeWhile(pair => string.Equals(pair.First, pair.Second, StringComparison.OrdinalIgnoreCase))
            .Select(pair => pair.First).ToArray();

    /// <summary>One instance per <see cref="WithSecurityAudit{TBuilder}"/> call, shared by the endpoints it marks.</summary>
    private sealed class SecurityAuditMetadata;
}
