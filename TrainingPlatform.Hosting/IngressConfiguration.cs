namespace TrainingPlatform.Hosting;

/// <summary>A replica behind the ingress: its name and the address the ingress reaches it at.</summary>
public sealed record IngressBackend(string Name, string HostAndPort);

/// <summary>
/// The ingress (HAProxy) configuration: ops/haproxy/haproxy.cfg plus one server line per API replica, rendered
/// once the replicas' addresses are known. The AppHost and the tests render it here.
/// </summary>
public static class IngressConfiguration
{
    public static LocalProgram Haproxy { get; } = LocalProgram.Declared("haproxy");

    /// <summary>Writes <c>haproxy.cfg</c> into <paramref name="directory"/> and returns its path.</summary>
    public static string Render(string opsDirectory, string directory, IEnumerable<IngressBackend> backends)
    {
        Directory.CreateDirectory(directory);
        var servers = backends.Select(b => $"    server {b.Name} {b.HostAndPort} check");
        var path = Path.Combine(directory, "haproxy.cfg");
        File.WriteAllText(path + ".tmp",
            File.ReadAllText(Path.Combine(opsDirectory, "haproxy", "haproxy.cfg")).TrimEnd() + "\n" + string.Join("\n", servers) + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    /// <summary>HAProxy in the foreground (<c>-db</c>), so its supervisor's SIGTERM stops it.</summary>
    public static LocalCommand Command(string configFile) => new(Haproxy.Path, ["-db", "-f", configFile]);
}
