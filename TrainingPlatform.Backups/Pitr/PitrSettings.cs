namespace TrainingPlatform.Backups.Pitr;

/// <summary>
/// The server's pgBackRest backups (point-in-time recovery, ops/docs/backup-restore.md): on when <c>Pitr:Stanza</c> is
/// set. pgBackRest reads its repository and the server from <c>PGBACKREST_CONFIG</c> and the other <c>PGBACKREST_*</c>
/// variables of this process; as root it runs as the postgres user, who owns the server's files and the repository.
/// With <c>Pitr:TakesBackups</c> false (containers mode and deployed, where the server's image takes its backups
/// beside its data directory) it only reads and verifies the repository.
/// </summary>
public sealed record PitrSettings(string Stanza, BackupSchedule Full, BackupSchedule Differential, bool RunAsPostgres, bool TakesBackups = true)
{
    public const string StanzaKey = "Pitr:Stanza";

    public static PitrSettings? From(IConfiguration configuration) =>
        configuration[StanzaKey] is { Length: > 0 } stanza
            ? new PitrSettings(stanza, BackupSchedule.From(configuration, "Pitr:FullSchedule"), BackupSchedule.From(configuration, "Pitr:DiffSchedule"),
                configuration.GetValue("Pitr:RunAsPostgres", false), configuration.GetValue("Pitr:TakesBackups", true))
            : null;

    public System.Diagnostics.ProcessStartInfo StartInfo(params IEnumerable<string> arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(RunAsPostgres ? "setpriv" : "pgbackrest")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (RunAsPostgres ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", "pgbackrest"] : Array.Empty<string>())
                     .Concat(["--stanza=" + Stanza, "--log-level-console=off", "--log-level-stderr=warn"]).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }
}
