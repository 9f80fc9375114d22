using System.Globalization;
using System.Text;

namespace TrainingPlatform.Hosting;

/// <summary>An S3 repository for pgBackRest (which speaks S3 over TLS only); <paramref name="CaFile"/> trusts a private CA.</summary>
public sealed record PitrS3(string Bucket, string Path, string Endpoint, int Port, string Region, string AccessKeyId, string SecretAccessKey,
    string? CaFile = null)
{
    /// <summary>
    /// The repository beside the logical backups of <paramref name="backupUri"/> (<c>s3://bucket/prefix</c>), under its
    /// own prefix <c>prefix/pitr</c>; <paramref name="endpointUrl"/> an https:// URL or empty for AWS's regional endpoint.
    /// </summary>
    public static PitrS3 Beside(string backupUri, string endpointUrl, string region, string accessKeyId, string secretAccessKey, string? caFile = null)
    {
        if (!backupUri.StartsWith("s3://", StringComparison.Ordinal) || backupUri.Length == "s3://".Length)
        {
            throw new ArgumentException($"backup-s3-uri must look like s3://bucket/prefix, not '{backupUri}'.", nameof(backupUri));
        }
        var bucketAndPrefix = backupUri["s3://".Length..].TrimEnd('/').Split('/', 2);
        var path = bucketAndPrefix.Length == 2 ? $"/{bucketAndPrefix[1]}/pitr" : "/pitr";
        if (endpointUrl.Length == 0)
        {
            return new(bucketAndPrefix[0], path, $"s3.{region}.amazonaws.com", 443, region, accessKeyId, secretAccessKey, caFile);
        }
        var endpoint = new Uri(endpointUrl);
        if (endpoint.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"pgBackRest reaches S3 over TLS only: backup-s3-endpoint-url must be https://, not '{endpointUrl}'.", nameof(endpointUrl));
        }
        return new(bucketAndPrefix[0], path, endpoint.Host, endpoint.Port, region, accessKeyId, secretAccessKey, caFile);
    }
}

/// <summary>
/// Where pgBackRest keeps the base backups and the archived WAL: a folder (locally <c>.stack/pgbackrest/repo</c>) or
/// an S3 bucket; always encrypted with <paramref name="CipherPass"/>; full backups kept for
/// <paramref name="RetentionDays"/> days, so every second of that window can be restored.
/// </summary>
public sealed record PitrRepository(string? Folder, PitrS3? S3, string CipherPass, int RetentionDays)
{
    public const string CipherPassOption = "repo1-cipher-pass";
    public const string RetentionOption = "repo1-retention-full";

    // Path-style requests work with AWS and with every S3-compatible server; host-style needs wildcard DNS.
    private static readonly KeyValuePair<string, string> UriStyle = new("repo1-s3-uri-style", "path");
    private static readonly KeyValuePair<string, string> CipherType = new("repo1-cipher-type", "aes-256-cbc");
    private static readonly KeyValuePair<string, string> RetentionType = new("repo1-retention-full-type", "time");

    /// <summary>The options whose value is the same for every repository (the S3 one ignored by a folder).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> FixedOptions { get; } = [UriStyle, CipherType, RetentionType];

    /// <summary>The repository options, as pgBackRest's configuration file and its <c>PGBACKREST_*</c> variables name them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Options()
    {
        var options = new List<KeyValuePair<string, string>>();
        void Add(string key, string value) => options.Add(new(key, value));
        if (S3 is { } s3)
        {
            Add("repo1-type", "s3");
            Add("repo1-path", s3.Path);
            Add("repo1-s3-bucket", s3.Bucket);
            Add("repo1-s3-endpoint", s3.Endpoint);
            Add("repo1-storage-port", s3.Port.ToString(CultureInfo.InvariantCulture));
            Add("repo1-s3-region", s3.Region);
            Add("repo1-s3-key", s3.AccessKeyId);
            Add("repo1-s3-key-secret", s3.SecretAccessKey);
            options.Add(UriStyle);
            if (s3.CaFile is { Length: > 0 } caFile)
            {
                Add("repo1-storage-ca-file", caFile);
            }
        }
        else
        {
            Add("repo1-path", Folder ?? throw new InvalidOperationException("A repository needs a folder or an S3 bucket."));
        }
        options.Add(CipherType);
        Add(CipherPassOption, CipherPass);
        options.Add(RetentionType);
        Add(RetentionOption, RetentionDays.ToString(CultureInfo.InvariantCulture));
        return options;
    }
}

/// <summary>
/// Continuous archiving through pgBackRest: the server settings that make PostgreSQL push every WAL segment into the
/// repository, and the configuration file the server, the backups service and ops/scripts/restore.sh all read. The
/// AppHost renders it under <c>.stack/pgbackrest/</c>; the tests render their own the same way.
/// </summary>
public static class PitrArchive
{
    /// <summary>pgBackRest's name for the cluster; restore.sh reads it from the configuration file.</summary>
    public const string Stanza = "trainingplatform";

    /// <summary>The default bound on the RPO: a WAL segment with any change in it is archived within this time.</summary>
    public const string DefaultArchiveTimeout = "60s";

    public static LocalProgram PgBackRest { get; } = LocalProgram.Declared("pgbackrest");

    /// <summary>
    /// The <c>-c</c> settings that turn archiving on, pushing through <paramref name="configFile"/>. pgBackRest
    /// reaches the server on its Unix socket in <paramref name="socketDirectory"/> (peer authentication as postgres).
    /// </summary>
    public static IReadOnlyList<string> ServerSettings(string configFile, string socketDirectory, string archiveTimeout) =>
    [
        .. ArchiveSettings($"{PgBackRest.Path} --config=\"{configFile}\"", archiveTimeout),
        "unix_socket_directories=" + socketDirectory,
    ];

    /// <summary>
    /// The <c>-c</c> settings of the server in ops/postgres/Dockerfile's image: pgBackRest on its PATH reads every option
    /// from the <c>PGBACKREST_*</c> variables the server inherits (<see cref="EnvironmentName"/>), and reaches the
    /// server on the image's default socket.
    /// </summary>
    public static IReadOnlyList<string> ContainerServerSettings(string archiveTimeout) => ArchiveSettings("pgbackrest", archiveTimeout);

    private static IReadOnlyList<string> ArchiveSettings(string pgBackRest, string archiveTimeout) =>
    [
        "wal_level=replica",
        "archive_mode=on",
        $"archive_command={pgBackRest} --stanza={Stanza} archive-push %p",
        "archive_timeout=" + archiveTimeout,
    ];

    /// <summary>What every pgBackRest command of the stack runs with, whatever its repository.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> GeneralOptions { get; } =
    [
        // Logs go to the caller (the server's log, the backups service's log, the operator's terminal).
        new("log-level-file", "off"),
        new("log-level-console", "info"),
        new("log-level-stderr", "off"),
        // A backup starts with an immediate checkpoint rather than waiting up to checkpoint_timeout.
        new("start-fast", "y"),
        new("compress-type", "lz4"),
        new("process-max", "2"),
    ];

    /// <summary>The environment variable pgBackRest reads <paramref name="option"/> from: <c>repo1-s3-key</c> is <c>PGBACKREST_REPO1_S3_KEY</c>.</summary>
    public static string EnvironmentName(string option) => "PGBACKREST_" + option.ToUpperInvariant().Replace('-', '_');

    /// <summary>
    /// Writes pgBackRest's configuration for the cluster in <paramref name="dataDirectory"/> into
    /// <paramref name="directory"/> (with its log and lock folders), readable by the server's user only: it holds the
    /// cipher pass and the S3 secret. Returns the file's path. <paramref name="port"/> names the server's socket, which
    /// backups connect to; archiving and restoring need no connection.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static string RenderConfig(string directory, PitrRepository repository, string dataDirectory, string socketDirectory, int? port = null)
    {
        Directory.CreateDirectory(Path.Combine(directory, "log"));
        Directory.CreateDirectory(Path.Combine(directory, "lock"));
        Directory.CreateDirectory(socketDirectory);
        if (repository.Folder is { } folder)
        {
            Directory.CreateDirectory(folder);
        }
        var text = new StringBuilder("# Rendered by the AppHost (TrainingPlatform.Hosting/PitrArchive.cs) at every start: edit the parameters, not this file.\n[global]\n");
        foreach (var (key, value) in repository.Options())
        {
            text.Append(CultureInfo.InvariantCulture, $"{key}={value}\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"log-path={Path.Combine(directory, "log")}\n");
        text.Append(CultureInfo.InvariantCulture, $"lock-path={Path.Combine(directory, "lock")}\n");
        foreach (var (key, value) in GeneralOptions)
        {
            text.Append(CultureInfo.InvariantCulture, $"{key}={value}\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"\n[{Stanza}]\npg1-path={dataDirectory}\npg1-socket-path={socketDirectory}\npg1-user=postgres\n");
        if (port is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"pg1-port={port}\n");
        }
        var file = Path.Combine(directory, "pgbackrest.conf");
        File.WriteAllText(file, text.ToString());
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        LocalPostgres.GiveToPostgresUser(directory);
        LocalPostgres.GiveToPostgresUser(socketDirectory);
        if (repository.Folder is not null)
        {
            LocalPostgres.GiveToPostgresUser(repository.Folder);
        }
        return file;
    }

    /// <summary>pgBackRest with <paramref name="configFile"/> and the stanza, as the postgres user when run as root.</summary>
    public static LocalCommand Command(string configFile, params IEnumerable<string> arguments) =>
        LocalCommand.AsPostgresUser(PgBackRest, ["--config=" + configFile, "--stanza=" + Stanza, .. arguments]);
}
