using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TrainingPlatform.Api.Sessions;

/// <summary>
/// The bearer handler's token validation, remembered: a learner sends the same access token with every request, and
/// checking its signature, reading its claims and building their identity again each time was the largest part of a
/// signed-in read's own work (ops/docs/performance.md, learner section). An access token that once validated is taken
/// as valid again, keyed by the whole token, until the moment it expires (never past it), in the process's
/// <see cref="IMemoryCache"/>. Only tokens with a valid signature get there, each at most for its lifetime, so the
/// cache holds at most the tokens this API issued in the last <c>Jwt:AccessTokenMinutes</c>. Each request gets an
/// identity of its own (a copy). The session check (<see cref="SessionRevocations"/>) still runs for every request,
/// so a revoked session ends as before.
/// </summary>
public sealed class ValidatedTokens(IMemoryCache cache) : JsonWebTokenHandler
{
    /// <summary>The cache key: a type of its own, so no other user of the shared cache can collide with it.</summary>
    private readonly record struct TokenKey(string Token);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var key = new TokenKey(token);
        if (cache.TryGetValue(key, out TokenValidationResult? known) && known is not null)
        {
            return Copy(known);
        }
        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken.ValidTo > DateTime.UtcNow)
        {
            cache.Set(key, result, new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero));
            return Copy(result);
        }
        return result;
    }

    private static TokenValidationResult Copy(TokenValidationResult valid) => new()
    {
        IsValid = true,
        ClaimsIdentity = valid.ClaimsIdentity.Clone(),
        SecurityToken = valid.SecurityToken,
        Issuer = valid.Issuer,
        TokenType = valid.TokenType,
    };
}
