namespace TrainingPlatform.AppHost;

/// <summary>
/// The dashboard as the launch profile runs it: plain HTTP on localhost, without a login page. Nothing in the stack
/// serves HTTPS, so no resource asks for a developer certificate and the dashboard raises no "No trusted development
/// certificate" error. Its telemetry (OTLP), API and resource-service endpoints, which any local process could reach,
/// keep the keys Aspire makes (kept in the AppHost's user secrets, handed to every resource that sends telemetry), so
/// it shows no "unsecured" warning either: only the pages a person opens go without a login.
/// (ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS would drop the keys too, and the dashboard would rightly warn that any
/// local process can send or read telemetry.)
/// </summary>
public static class DashboardSecurity
{
    public static void UsePlainHttpWithoutLogin(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return;
        }
        // Aspire made a browser token for the login page; a token set on purpose (Aspire's own
        // ASPIRE_DASHBOARD_FRONTEND_BROWSERTOKEN) keeps the login, for a dashboard reachable by others.
        if (string.IsNullOrEmpty(builder.Configuration["ASPIRE_DASHBOARD_FRONTEND_BROWSERTOKEN"]))
        {
            builder.Configuration["AppHost:BrowserToken"] = "";
        }

        // Aspire gives every project a callback that would hand it the developer certificate for an HTTPS endpoint;
        // while any resource has one, Aspire warns that no certificate is trusted. Ours listen on http only.
#pragma warning disable ASPIRECERTIFICATES001 // experimental in 13.6: the only way to say a project needs no certificate
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project).WithoutHttpsCertificate();
        }
#pragma warning restore ASPIRECERTIFICATES001
    }
}
