using System.Security.Cryptography;

namespace TrainingPlatform.AppHost;

/// <summary>
/// The dashboard as the launch profile runs it: plain HTTP on localhost, no login page (anonymous). Nothing in the
/// stack serves HTTPS, so no resource asks for a developer certificate and the dashboard raises no "No trusted
/// development certificate" error; its telemetry (OTLP) and API endpoints, which any local process could reach,
/// still take only requests with a key made for this run, which Aspire passes to every resource it sends telemetry.
/// </summary>
public static class DashboardSecurity
{
    public static void UsePlainHttpWithKeys(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return;
        }
        // Set already (a dashboard with its login keeps them in user secrets): kept.
        builder.Configuration["AppHost:OtlpApiKey"] ??= NewKey();
        builder.Configuration["AppHost:DashboardApiKey"] ??= NewKey();

        // Aspire gives every project a callback that would hand it the developer certificate for an HTTPS endpoint;
        // while any resource has one, Aspire warns that no certificate is trusted. Ours listen on http only.
#pragma warning disable ASPIRECERTIFICATES001 // experimental in 13.6: the only way to say a project needs no certificate
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project).WithoutHttpsCertificate();
        }
#pragma warning restore ASPIRECERTIFICATES001
    }

    private static string NewKey() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
}
