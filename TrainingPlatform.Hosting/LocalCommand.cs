namespace TrainingPlatform.Hosting;

/// <summary>A program and its arguments, ready for DCP (the AppHost) or <see cref="System.Diagnostics.Process"/>.</summary>
public sealed record LocalCommand(string Program, IReadOnlyList<string> Arguments)
{
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>
    /// PostgreSQL refuses to run as root, so as root the command drops to the postgres user. setpriv execs, so a
    /// SIGTERM or SIGINT sent to the returned process reaches the server itself.
    /// </summary>
    public static LocalCommand AsPostgresUser(LocalProgram program, params IEnumerable<string> arguments) => IsRoot
        ? new("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program.Path, .. arguments])
        : new(program.Path, [.. arguments]);

    public System.Diagnostics.ProcessStartInfo ToStartInfo()
    {
        var info = new System.Diagnostics.ProcessStartInfo(Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return info;
    }
}
