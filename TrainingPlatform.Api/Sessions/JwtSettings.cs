namespace TrainingPlatform.Api.Sessions;

/// <summary>The <c>Jwt</c> configuration section.</summary>
public sealed class JwtSettings
{
    public const string Section = "Jwt";

    public string Issuer { get; set; } = "training-platform";
    public string Audience { get; set; } = "training-platform";
    public int AccessTokenMinutes { get; set; } = 15;
    public int RefreshTokenDays { get; set; } = 14;

    /// <summary>Filled from <c>Jwt:SigningKey</c> by <see cref="JwtSigningKey"/>.</summary>
    public byte[] SigningKeyBytes { get; set; } = [];

    /// <summary>
    /// Filled from <c>Jwt:PreviousSigningKey</c> by <see cref="JwtSigningKey"/>, empty when unset: a key that validates and
    /// never signs. A rotation sets it to the next key (every replica accepts it before any signs with it), then to the
    /// old one (its tokens stay valid until they expire).
    /// </summary>
    public byte[] PreviousSigningKeyBytes { get; set; } = [];
}
