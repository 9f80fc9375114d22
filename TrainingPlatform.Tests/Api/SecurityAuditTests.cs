using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// The API declares its security-sensitive routes where it maps them (<c>WithSecurityAudit</c>); ServiceDefaults knows
/// none. This pins which routes are declared, so dropping the declaration from a group fails here.
/// </summary>
public class SecurityAuditTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly string[] SensitiveAreas = ["api/v1/auth", "api/v1/token", "api/v1/password", "api/v1/upload"];

    [Fact]
    public void Account_token_password_and_upload_routes_are_audited_and_no_others()
    {
        var routes = api.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(endpoint => (Route: endpoint.RoutePattern.RawText!.Trim('/'), Audited: SecurityAudit.IsAudited(endpoint)))
            .ToList();

        var expected = routes.Where(r => SensitiveAreas.Any(area => r.Route == area || r.Route.StartsWith(area + "/", StringComparison.Ordinal)))
            .Select(r => r.Route).Order().ToList();
        Assert.Equal(10, expected.Count);
        Assert.Equal(expected, routes.Where(r => r.Audited).Select(r => r.Route).Order().ToList());
    }
}
