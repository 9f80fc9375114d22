using System.Security.Cryptography;
using System.Text;

namespace TrainingPlatform.Api.Accounts;

/// <summary>
/// The HS256 key: <c>Jwt:SigningKey</c> (at least 32 bytes). In Development only, a missing key is generated once and
/// kept in <c>.stack/jwt-signing-key</c> under the content root, so tokens survive restarts; elsewhere a missing key
/// stops start-up.
/// </summary>
public static class JwtSigningKey
{
    public const string ConfigurationKey = "Jwt:SigningKey";
    private const int MinimumBytes = 32;

    public static byte[] Resolve(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration[ConfigurationKey];
        if (!string.IsNullOrEmpty(configured))
        {
            var key = Encoding.UTF8.GetBytes(configured);
            return key.Length >= MinimumBytes
                ? key
                : throw new InvalidOperationException(
                    $"{ConfigurationKey} is too short: HS256 needs at least {MinimumBytes} bytes. Set a longer random value (environment variable Jwt__SigningKey).");
        }
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{ConfigurationKey} is not set. Outside Development the API needs a signing key of at least {MinimumBytes} bytes: " +
                "set the environment variable Jwt__SigningKey (for example from `openssl rand -base64 48`) or the AppHost's secret parameter.");
        }
        return DevelopmentKey(environment.ContentRootPath);
    }

    private static byte[] DevelopmentKey(string contentRoot)
    {
        var path = Path.Combine(contentRoot, ".stack", "jwt-signing-key");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
        }
        return Encoding.UTF8.GetBytes(File.ReadAllText(path).Trim());
    }
}
