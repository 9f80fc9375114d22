using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TrainingPlatform.Api.Sessions;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// The remembered token validation (issue 26, <c>Sessions/ValidatedTokens.cs</c>): a token that validated answers
/// valid again until it expires and never after, a token it has not seen (another signature for the same claims) is
/// validated in full, and every answer carries an identity of its own.
/// </summary>
public sealed class ValidatedTokensTests : IDisposable
{
    private static readonly SymmetricSecurityKey Key = new(Encoding.UTF8.GetBytes("a signing key of the test, at least 32 bytes long"));
    private static readonly SymmetricSecurityKey OtherKey = new(Encoding.UTF8.GetBytes("another key of the test, also at least 32 bytes"));

    private readonly MemoryCache _cache = new(new MemoryCacheOptions());

    [Fact]
    public async Task A_validated_token_stays_valid_until_it_expires_and_not_after()
    {
        var tokens = new ValidatedTokens(_cache);
        var token = Issue(Key, DateTime.UtcNow.AddSeconds(3));

        var first = await tokens.ValidateTokenAsync(token, Parameters());
        var again = await tokens.ValidateTokenAsync(token, Parameters());

        Assert.True(first.IsValid);
        Assert.True(again.IsValid);
        Assert.Equal("42", again.ClaimsIdentity.FindFirst(AccessTokens.SubjectClaim)?.Value);
        Assert.NotSame(first.ClaimsIdentity, again.ClaimsIdentity);
        await Wait.UntilAsync(async () => !(await tokens.ValidateTokenAsync(token, Parameters())).IsValid, TimeSpan.FromSeconds(10),
            "the token to be refused once it expired");
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused_after_a_valid_one_with_the_same_claims()
    {
        var tokens = new ValidatedTokens(_cache);
        var expires = DateTime.UtcNow.AddMinutes(5);

        Assert.True((await tokens.ValidateTokenAsync(Issue(Key, expires), Parameters())).IsValid);
        Assert.False((await tokens.ValidateTokenAsync(Issue(OtherKey, expires), Parameters())).IsValid);
    }

    public void Dispose() => _cache.Dispose();

    private static string Issue(SecurityKey key, DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "test",
        Audience = "test",
        IssuedAt = expires.AddMinutes(-10),
        NotBefore = expires.AddMinutes(-10),
        Expires = expires,
        Subject = new ClaimsIdentity([new Claim(AccessTokens.SubjectClaim, "42"), new Claim(AccessTokens.SessionClaim, Guid.NewGuid().ToString())]),
        SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
    });

    // No clock skew: the token is refused the moment it expires, the moment its cached answer must be gone too.
    private static TokenValidationParameters Parameters() => new()
    {
        ValidIssuer = "test",
        ValidAudience = "test",
        IssuerSigningKey = Key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = TimeSpan.Zero,
    };
}
