using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// Local mode's one piece of machinery: a program installed on the machine as an executable that DCP supervises. How
/// each program is found and what its command line is lives in TrainingPlatform.Hosting, shared with the tests and
/// the benchmarks; each resource's file turns those commands into its local form.
/// </summary>
public static class LocalExecutables
{
    /// <summary>
    /// A resource running <paramref name="command"/>. The program is looked up now, so a missing one stops the
    /// AppHost with the package to install instead of leaving the resource "Waiting".
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddLocalProgram(
        this IDistributedApplicationBuilder builder, string name, LocalCommand command, string workingDirectory) =>
        builder.AddExecutable(name, command.Program, workingDirectory, [.. command.Arguments]);

    /// <summary>The Prometheus-family flag that puts a program on its "http" endpoint's port, on loopback only.</summary>
    public static ReferenceExpression ListenAddress(IResourceBuilder<ExecutableResource> resource, string endpointName = "http") =>
        ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{resource.GetEndpoint(endpointName).Property(EndpointProperty.TargetPort)}");
}
