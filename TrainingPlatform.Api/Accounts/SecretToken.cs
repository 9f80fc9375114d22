using System.Security.Cryptography;

namespace TrainingPlatform.Api.Accounts;

/// <summary>Opaque tokens (refresh, password reset): 256 random bits for the client, only their SHA-256 in the database.</summary>
public static class SecretToken
{
    /// <summary>The longest token a request may carry: ours are 43 characters, so anything longer is refused unread.</summary>
    public const int MaxLength = 200;

    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
