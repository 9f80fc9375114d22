using System.Security.Cryptography;
using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// The server's point-in-time recovery repository: where it lives, its parameters (<c>pitr-cipher-pass</c>,
/// <c>pitr-retention-days</c>, <c>pitr-s3-region</c>, S3 beside the logical backups) and how a container is given it.
/// </summary>
public static partial class Postgres
{
    // The repository's parameters, the same in every mode.
    private const string CipherPassParameter = "pitr-cipher-pass";
    private const string RetentionDaysParameter = "pitr-retention-days";
    private const string DefaultRetentionDays = "7";
    private const string S3RegionParameter = "pitr-s3-region";
    private const string DefaultS3Region = "us-east-1";

    /// <summary>Where the local server's pgBackRest configuration, logs and (without S3) repository live, under <c>.stack/</c>.</summary>
    public static string PitrDirectory(StackSettings stack) => Path.Combine(stack.DataDirectory, "pgbackrest");

    public static string PitrConfigFile(StackSettings stack) => Path.Combine(PitrDirectory(stack), "pgbackrest.conf");

    /// <summary>
    /// The PITR repository for a container (the server's, and the backups service's, which reads and verifies it):
    /// pgBackRest's options as <c>PGBACKREST_*</c> variables, the location derived in the image from the logical
    /// backups' bucket (ops/postgres/repository-environment.sh; without one, the folder on the shared volume), the
    /// rest from the same parameters as locally and the options of <see cref="PitrArchive"/> and <see cref="PitrRepository"/>.
    /// </summary>
    public static IResourceBuilder<T> WithPitrRepository<T>(this IResourceBuilder<T> container, IDistributedApplicationBuilder builder, StackSettings stack)
        where T : ContainerResource
    {
        container
            .WithVolume(RepositoryVolume, ContainerRepositoryFolder)
            // No configuration file (the package's /etc/pgbackrest.conf names a repository): every option is a variable.
            .WithEnvironment(PitrArchive.EnvironmentName("config"), "/dev/null")
            .WithEnvironment(PitrArchive.EnvironmentName("stanza"), PitrArchive.Stanza)
            .WithEnvironment("PITR_REPOSITORY_FOLDER", ContainerRepositoryFolder)
            .WithEnvironment("BACKUP_S3_URI", builder.SharedParameterWithDefault(Backups.S3UriParameter, ""))
            .WithEnvironment("BACKUP_S3_ENDPOINT_URL", builder.SharedParameterWithDefault(Backups.S3EndpointParameter, ""));
        foreach (var (option, value) in PitrArchive.GeneralOptions.Concat(PitrRepository.FixedOptions))
        {
            container.WithEnvironment(PitrArchive.EnvironmentName(option), value);
        }
        foreach (var (option, parameter) in new[]
        {
            (PitrRepository.CipherPassOption, CipherPass(builder, stack)),
            (PitrRepository.RetentionOption, builder.SharedParameterWithDefault(RetentionDaysParameter, DefaultRetentionDays)),
            ("repo1-s3-region", builder.SharedParameterWithDefault(S3RegionParameter, DefaultS3Region)),
            ("repo1-s3-key", builder.SharedParameterWithDefault(Backups.S3AccessKeyParameter, "", secret: true)),
            ("repo1-s3-key-secret", builder.SharedParameterWithDefault(Backups.S3SecretKeyParameter, "", secret: true)),
        })
        {
            container.WithEnvironment(PitrArchive.EnvironmentName(option), parameter);
        }
        return container;
    }

    /// <summary>The repository's key: azd asks for it deployed; in containers mode it is generated and kept under .stack.</summary>
    private static IResourceBuilder<ParameterResource> CipherPass(IDistributedApplicationBuilder builder, StackSettings stack) =>
        builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == CipherPassParameter) is { } existing
            ? builder.CreateResourceBuilder(existing)
            : stack.Mode == StackMode.Publish || OperatingSystem.IsWindows()
                ? builder.AddParameter(CipherPassParameter, secret: true)
                : builder.AddParameterWithDefault(CipherPassParameter, ReadOrCreateSecret(PitrDirectory(stack), "cipher-pass"), secret: true);

    private sealed record PitrParameters(string ArchiveTimeout, IResourceBuilder<ParameterResource> CipherPass, IResourceBuilder<ParameterResource> RetentionDays,
        string RepositoryFolder)
    {
        /// <summary>S3 beside the logical backups when <c>backup-s3-uri</c> is set (those parameters are the backups service's), else the folder.</summary>
        public async Task<PitrRepository> RepositoryAsync(IDistributedApplicationBuilder builder, CancellationToken cancellation)
        {
            async Task<string> Value(string name) => builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == name) is { } parameter
                ? await parameter.GetValueAsync(cancellation) ?? ""
                : "";
            var days = await RetentionDays.Resource.GetValueAsync(cancellation);
            var retention = int.TryParse(days, out var parsed) && parsed >= 1
                ? parsed
                : throw new InvalidOperationException($"{RetentionDaysParameter} must be a whole number of days, at least 1, not '{days}'.");
            var cipherPass = await CipherPass.Resource.GetValueAsync(cancellation) ?? "";
            var bucket = await Value(Backups.S3UriParameter);
            return bucket.Length == 0
                ? new PitrRepository(RepositoryFolder, null, cipherPass, retention)
                : new PitrRepository(null, PitrS3.Beside(bucket, await Value(Backups.S3EndpointParameter), await Value(S3RegionParameter),
                    await Value(Backups.S3AccessKeyParameter), await Value(Backups.S3SecretKeyParameter)), cipherPass, retention);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static PitrParameters AddPitrParameters(this IDistributedApplicationBuilder builder, StackSettings stack)
    {
        var directory = PitrDirectory(stack);
        // The repository's key: generated and kept beside it locally unless given. Lose it and the repository is unreadable.
        var cipherPass = builder.AddParameterWithDefault(CipherPassParameter, ReadOrCreateSecret(directory, "cipher-pass"), secret: true);
        var retention = builder.AddParameterWithDefault(RetentionDaysParameter, DefaultRetentionDays);
        builder.AddParameterWithDefault(S3RegionParameter, DefaultS3Region);
        // Bounds the RPO; tests shorten it. Not a parameter deployed: the issue fixes it at 60 s.
        var archiveTimeout = builder.Configuration["Stack:PitrArchiveTimeout"] ?? PitrArchive.DefaultArchiveTimeout;
        return new PitrParameters(archiveTimeout, cipherPass, retention, Path.Combine(directory, "repo"));
    }

    // Local mode runs PostgreSQL's Unix binaries, so file modes always apply.
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string ReadOrCreateSecret(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, name);
        if (!File.Exists(file))
        {
            File.WriteAllText(file, Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant());
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        if (LocalCommand.IsRoot)
        {
            // The server runs as the postgres user, which must be able to reach its directory.
            var parent = Path.GetDirectoryName(directory)!;
            File.SetUnixFileMode(parent, File.GetUnixFileMode(parent) | UnixFileMode.OtherExecute);
            LocalPostgres.GiveToPostgresUser(directory);
        }
        return File.ReadAllText(file).Trim();
    }
}
