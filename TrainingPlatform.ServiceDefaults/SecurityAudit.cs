using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Configuration;

// Beside RequireAuthorization and the other endpoint conventions, so mapping code needs no using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Marks endpoints whose every 4xx answer is a security event (<c>sensitive_4xx</c>): credentials, tokens, uploads.
/// The service declares it where it maps the routes, so renaming a route keeps it audited. This is the one way a
/// route becomes sensitive: <see cref="SensitivePathPrefixesKey"/> only widens the reach of the audit for operators
/// (a path the service does not mark, such as a proxy's), and is read into the same reach.
/// </summary>
public static class SecurityAudit
{
    /// <summary>Configuration key: path prefixes an operator adds to the audit's reach (<c>Audit:SensitivePathPrefixes:0</c>, …).</summary>
    public const string SensitivePathPrefixesKey = "Audit:SensitivePathPrefixes";

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

    /// <summary>Whether a 4xx answer to this request is a security event: its endpoint is audited, or its path is in the reach.</summary>
    internal static bool Covers(Endpoint? endpoint, PathString path, IReadOnlyList<string> reach)
    {
        if (IsAudited(endpoint))
        {
            return true;
        }
        var value = path.Value.AsSpan();
        foreach (var prefix in reach)
        {
            // "/api/v1/token" and "/api/v1/token/" both cover the route itself and everything under it, not "/api/v1/tokens".
            var route = prefix.AsSpan().TrimEnd('/');
            if (value.StartsWith(route, StringComparison.OrdinalIgnoreCase)
                && (value.Length == route.Length || value[route.Length] == '/'))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The path prefixes the audit covers: for each <see cref="WithSecurityAudit{TBuilder}"/> call, the literal
    /// segments that all of its endpoints' routes begin with (<c>/api/v1/token</c> for <c>/api/v1/token</c> and
    /// <c>/api/v1/token/refresh</c>), then the prefixes configured under <see cref="SensitivePathPrefixesKey"/>.
    /// </summary>
    internal static IReadOnlyList<string> Reach(EndpointDataSource endpoints, IConfiguration configuration) =>
        [.. MarkedReach(endpoints), .. configuration.GetSection(SensitivePathPrefixesKey).GetChildren()
            .Select(child => child.Value).OfType<string>().Where(prefix => prefix.Length > 0)];

    private static IEnumerable<string> MarkedReach(EndpointDataSource endpoints) =>
        endpoints.Endpoints.OfType<RouteEndpoint>()
            .Select(endpoint => (Marker: endpoint.Metadata.GetMetadata<SecurityAuditMetadata>(), Literal: LiteralSegments(endpoint.RoutePattern)))
            .Where(audited => audited.Marker is not null)
            .GroupBy(audited => audited.Marker, audited => audited.Literal)
            .Select(group => "/" + string.Join('/', group.Aggregate(CommonPrefix)))
            .Distinct(StringComparer.OrdinalIgnoreCase);

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
