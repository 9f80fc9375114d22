using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using TrainingPlatform.Tests.ServiceDefaults;

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

    [Fact]
    public async Task A_probe_under_an_audited_group_is_a_security_event_and_one_beside_it_is_not()
    {
        using var client = api.Anonymous();

        using var probe = await client.GetAsync("/api/v1/auth/admin");
        using var wrongMethod = await client.GetAsync("/api/v1/token/refresh");
        using var beside = await client.GetAsync("/api/v1/tokens");

        Assert.Equal(HttpStatusCode.NotFound, probe.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, beside.StatusCode);
        var metrics = await PrometheusText.ScrapeUntilAsync(client,
            m => m.ValueOrZero(HttpMeasures.RequestsTotal, ("path_template", HttpMeasures.Unmatched)) >= 3, TimeSpan.FromSeconds(10));
        Assert.Equal(2, metrics.Value(HttpMeasures.SecurityEventsTotal, ("reason", "sensitive_4xx")));
        Assert.Equal(2, metrics.Value(HttpMeasures.SecurityEventsTotal));
    }
}
