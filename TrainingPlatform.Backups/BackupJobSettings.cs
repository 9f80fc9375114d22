using System.Diagnostics;
using Npgsql;

namespace TrainingPlatform.Backups;

/// <summary>What a run needs, read once at start: a missing database or target stops the service with the fix.</summary>
public sealed class BackupJobSettings
{
    public const string ConnectionName = "training";
    public const string ScriptKey = "Backup:Script";

    // The script's own variables (ops/scripts/backup.sh --help); an empty one is left out, as if unset.
    private static readonly string[] ScriptVariables =
        ["BACKUP_DIR", "BACKUP_S3_URI", "BACKUP_S3_ENDPOINT_URL", "BACKUP_ENCRYPTION_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

    private readonly NpgsqlConnectionStringBuilder _database;
    private readonly Dictionary<string, string?> _variables;

    private BackupJobSettings(string script, NpgsqlConnectionStringBuilder database, Dictionary<string, string?> variables)
    {
        Script = script;
        _database = database;
        _variables = variables;
    }

    public string Script { get; }

    public static BackupJobSettings From(IConfiguration configuration)
    {
        var connection = configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connection))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set: the database to back up, e.g. Host=...;Port=5432;Username=...;Password=...;Database=training.");
        }
        var variables = ScriptVariables.ToDictionary(name => name, name => configuration[name] is { Length: > 0 } value ? value : null);
        // An S3 bucket, when given, is the target; the folder is then only the local fallback and is not passed on.
        if (variables["BACKUP_S3_URI"] is not null)
        {
            variables["BACKUP_DIR"] = null;
        }
        else if (variables["BACKUP_DIR"] is null)
        {
            throw new InvalidOperationException("No backup target: set BACKUP_S3_URI (s3://bucket/prefix) or BACKUP_DIR (a folder).");
        }
        var script = configuration[ScriptKey] ?? FindScript();
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"{ScriptKey}: {script} does not exist (the path of ops/scripts/backup.sh).");
        }
        return new BackupJobSettings(script, new NpgsqlConnectionStringBuilder(connection), variables);
    }

    public ProcessStartInfo StartInfo()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add("--json");
        start.Environment["PGHOST"] = _database.Host;
        start.Environment["PGPORT"] = _database.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = _database.Username;
        start.Environment["PGPASSWORD"] = _database.Password;
        start.Environment["PGDATABASE"] = _database.Database;
        start.Environment.Remove("DATABASE_URL");
        foreach (var (name, value) in _variables)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }
        return start;
    }

    // ops/scripts/backup.sh above the program: the repository when run from a build, /app in the image.
    private static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "ops", "scripts", "backup.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return Path.Combine(AppContext.BaseDirectory, "ops", "scripts", "backup.sh");
    }
}
