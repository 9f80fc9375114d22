namespace TrainingPlatform.AppHost;

/// <summary>An image and its pinned tag.</summary>
public sealed record ContainerImage(string Name, string Tag)
{
    public override string ToString() => $"{Name}:{Tag}";
}

/// <summary>
/// Every image the stack runs or builds on, each pinned, written here only. The Dockerfiles under ops/ start FROM
/// the same (or take the tag as a build argument from here, as the backups image does), and README.md and ops/docs
/// name the same; ContainerImagesTests reads them against this table.
/// </summary>
public static class ContainerImages
{
    /// <summary>The server, and the base of the backups image, whose pg_dump must match it.</summary>
    public static ContainerImage Postgres { get; } = new("postgres", "17.6");
    public static ContainerImage Prometheus { get; } = new("prom/prometheus", "v3.5.0");
    public static ContainerImage BlackboxExporter { get; } = new("prom/blackbox-exporter", "v0.27.0");
    public static ContainerImage PostgresExporter { get; } = new("quay.io/prometheuscommunity/postgres-exporter", "v0.17.1");
    public static ContainerImage Alertmanager { get; } = new("prom/alertmanager", "v0.28.1");
    public static ContainerImage Grafana { get; } = new("grafana/grafana", "12.2.0");
    public static ContainerImage Ingress { get; } = new("haproxy", "3.2.6");

    /// <summary>Valkey: BSD-licensed and Redis-protocol, for both shared stores.</summary>
    public static ContainerImage Cache { get; } = new("valkey/valkey", "8.1.4");
    public static ContainerImage MailCatcher { get; } = new("rnwood/smtp4dev", "3.15.0");

    /// <summary>Only the backups image's build stage (ops/backups/Dockerfile): the stack never runs it.</summary>
    public static ContainerImage DotnetSdk { get; } = new("mcr.microsoft.com/dotnet/sdk", "10.0");

    /// <summary>The images the stack runs in containers mode (README, "Two runtime modes").</summary>
    public static IReadOnlyList<ContainerImage> Run { get; } = [Postgres, PostgresExporter, Prometheus, BlackboxExporter, Alertmanager, Grafana, MailCatcher, Ingress, Cache];

    public static IReadOnlyList<ContainerImage> All { get; } = [.. Run, DotnetSdk];

    public static IResourceBuilder<ContainerResource> AddContainer(this IDistributedApplicationBuilder builder, string name, ContainerImage image) =>
        builder.AddContainer(name, image.Name, image.Tag);
}
