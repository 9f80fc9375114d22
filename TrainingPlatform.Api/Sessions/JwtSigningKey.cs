using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace TrainingPlatform.Api.Sessions;

/// <summary>
/// The HS256 key: <c>Jwt:SigningKey</c> (at least 32 bytes). In Development only, a missing key is generated once and
/// kept in <c>Jwt:DevelopmentKeyFile</c> (by default <c>.stack/jwt-signing-key</c> under the content root), readable
/// by its owner only, so tokens survive restarts; elsewhere a missing key stops start-up. <c>Jwt:PreviousSigningKey</c>
/// only validates, during a rotation (ops/docs/secret-rotation.md).
/// </summary>
public static class JwtSigningKey
{
    public const string ConfigurationKey = "Jwt:SigningKey";
    public const string PreviousConfigurationKey = "Jwt:PreviousSigningKey";
    public const string DevelopmentKeyFileKey = "Jwt:DevelopmentKeyFile";
    public const int DevelopmentKeyBytes = 48;
    private const int MinimumBytes = 32;

    public static byte[] Resolve(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration[ConfigurationKey];
        if (!string.IsNullOrEmpty(configured))
        {
            return LongEnough(ConfigurationKey, configured);
        }
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{ConfigurationKey} is not set. Outside Development the API needs a signing key of at least {MinimumBytes} bytes: " +
                "set the environment variable Jwt__SigningKey (for example from `openssl rand -base64 48`) or the AppHost's secret parameter.");
        }
        var file = configuration[DevelopmentKeyFileKey] is { Length: > 0 } path
            ? Path.GetFullPath(path, environment.ContentRootPath)
            : Path.Combine(environment.ContentRootPath, ".stack", "jwt-signing-key");
        return DevelopmentKey(file);
    }

    /// <summary>The previous key, empty when unset. The same key as <paramref name="signingKey"/> means a rotation half done: refused.</summary>
    public static byte[] ResolvePrevious(IConfiguration configuration, byte[] signingKey)
    {
        var configured = configuration[PreviousConfigurationKey];
        if (string.IsNullOrEmpty(configured))
        {
            return [];
        }
        var key = LongEnough(PreviousConfigurationKey, configured);
        return !key.AsSpan().SequenceEqual(signingKey)
            ? key
            : throw new InvalidOperationException(
                $"{PreviousConfigurationKey} is the same as {ConfigurationKey}, so nothing is being rotated. Set {ConfigurationKey} to the new key " +
                $"and {PreviousConfigurationKey} to the old one, or leave {PreviousConfigurationKey} empty (ops/docs/secret-rotation.md).");
    }

    private static byte[] LongEnough(string name, string configured)
    {
        var key = Encoding.UTF8.GetBytes(configured);
        return key.Length >= MinimumBytes
            ? key
            : throw new InvalidOperationException(
                $"{name} is too short: HS256 needs at least {MinimumBytes} bytes. Set a longer random value (environment variable {name.Replace(":", "__")}).");
    }

    private static byte[] DevelopmentKey(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            // CreateNew fails when the file exists, atomically: of instances starting at the same moment, one writes.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                // The key signs every token this API issues: only its owner may read it.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            try
            {
                using var stream = new FileStream(path, options);
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(DevelopmentKeyBytes))));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another instance created it; its key is read below.
            }
        }
        return ReadKey(path);
    }

    // The instance that created the file may not have written the key yet: wait briefly for a whole one.
    private static byte[] ReadKey(string path)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var key = Encoding.UTF8.GetBytes(File.ReadAllText(path).Trim());
            if (key.Length >= MinimumBytes)
            {
                return key;
            }
            if (waited.Elapsed > TimeSpan.FromSeconds(5))
            {
                throw new InvalidOperationException(
                    $"The development signing key in {path} is shorter than {MinimumBytes} bytes. Delete the file and a new key is generated.");
            }
            Thread.Sleep(20);
        }
    }
}
