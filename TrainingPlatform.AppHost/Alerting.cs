using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// Alertmanager, to which Prometheus sends its alerts, in every mode: the Debian binary locally, the pinned image in
/// containers mode, ops/alertmanager/Dockerfile when publishing. Each mode starts it through
/// ops/alertmanager/entrypoint.sh, which adds the receivers' webhooks from the secret parameters. The image has
/// Alertmanager's web UI; the Debian binary gets the same UI from ops/alertmanager/build-ui.sh (<c>--web.ui-path</c>).
/// </summary>
public static class Alerting
{
    public const string Name = "alertmanager";
    public const int ContainerPort = 9093;

    /// <summary>Silences and the notification log (<c>--storage.path</c>) outlive a restart or a redeploy on this volume.</summary>
    private const string DataVolume = "trainingplatform-alertmanager";

    /// <summary>The receivers of ops/alertmanager/alertmanager.yml, each with its webhook URL parameter.</summary>
    private static readonly string[] Receivers = ["page", "ticket", "watchdog"];

    /// <summary>
    /// Where build-ui.sh puts the UI for the Debian binary: one copy per checkout, shared by every local stack (the
    /// tests' too, whatever their data directory), since it depends on the installed package only.
    /// </summary>
    public static string LocalUiDirectory(StackSettings stack) => Path.Combine(stack.RepositoryRoot, ".stack", "alertmanager-ui");

    public static IResourceBuilder<IResourceWithEndpoints> AddAlertmanager(this IDistributedApplicationBuilder builder, StackSettings stack)
    {
        var ops = Path.Combine(stack.OpsDirectory, "alertmanager");
        if (stack.Mode == StackMode.Publish)
        {
            // Deployed, an empty page URL would page nobody: ops/alertmanager/entrypoint.sh refuses to start instead.
            return WithReceivers(builder, builder.AddDockerfile(Name, ops)
                .WithVolume(DataVolume, "/alertmanager")
                .WithEnvironment("ALERTMANAGER_PAGE_URL_REQUIRED", "true")
                .WithHttpEndpoint(targetPort: ContainerPort, name: "http"));
        }
        if (stack.Mode == StackMode.Local)
        {
            var data = Path.Combine(stack.DataDirectory, Name);
            Directory.CreateDirectory(data);
            var ui = LocalUiDirectory(stack);
            var local = builder.AddLocalProgram(Name, new(Path.Combine(ops, "entrypoint.sh"), []), data)
                .WithEnvironment("ALERTMANAGER_BIN", LocalProgram.Alertmanager.Path)
                .WithEnvironment("ALERTMANAGER_RENDERED", Path.Combine(data, "alertmanager.yml"))
                .WithHttpEndpoint(port: stack.AlertmanagerPort, name: "http");
            local.WithArgs(context =>
            {
                context.Args.Add("--storage.path=" + Path.Combine(data, "data"));
                context.Args.Add(LocalExecutables.ListenAddress(local));
                // One instance: no gossip port to collide with another stack's.
                context.Args.Add("--cluster.listen-address=");
                context.Args.Add("--web.ui-path=" + ui + "/");
            });
            // Built on the first start of a checkout (like postgres-init); later starts find it built and the script
            // ends at once, so the resource is always there and the stack's shape never depends on the machine.
            local.WaitForCompletion(builder.AddLocalProgram(Name + "-ui", new(Path.Combine(ops, "build-ui.sh"), [ui]), stack.RepositoryRoot));
            return WithReceivers(builder, local);
        }
        var container = builder.AddContainer(Name, ContainerImages.Alertmanager)
            .WithBindMount(ops, "/etc/alertmanager", isReadOnly: true)
            .WithVolume(DataVolume, "/alertmanager")
            .WithEntrypoint("/bin/sh")
            .WithArgs("/etc/alertmanager/entrypoint.sh", "--storage.path=/alertmanager", "--cluster.listen-address=")
            .WithEnvironment("ALERTMANAGER_RENDERED", "/alertmanager/alertmanager.yml")
            .WithHttpEndpoint(port: stack.AlertmanagerPort, targetPort: ContainerPort, name: "http");
        return WithReceivers(builder, container);
    }

    /// <summary>
    /// Each receiver's webhook URL from a secret parameter (<c>alertmanager-page-url</c>...). Empty, the default
    /// outside a deployment, the receiver delivers nowhere and the Alertmanager UI is the inbox.
    /// </summary>
    private static IResourceBuilder<IResourceWithEndpoints> WithReceivers<T>(IDistributedApplicationBuilder builder, IResourceBuilder<T> alertmanager)
        where T : class, IResourceWithEnvironment, IResourceWithEndpoints
    {
        foreach (var receiver in Receivers)
        {
            alertmanager.WithEnvironment($"ALERTMANAGER_{receiver.ToUpperInvariant()}_URL",
                builder.AddParameterWithDefault($"{Name}-{receiver}-url", "", secret: true, askWhenDeployed: true));
        }
        alertmanager.WithHttpHealthCheck("/-/ready")
            .WithUrlForEndpoint("http", url => url.DisplayText = "Alertmanager (alerts by receiver, silences)");
        return alertmanager;
    }
}
