using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TrainingPlatform.Api.Sessions;

/// <summary>
/// Short-lived HS256 bearer tokens carrying <c>sub</c> (user id), <c>email</c>, <c>role</c> and <c>sid</c> (the session
/// they belong to, checked against its revocation on every request by <see cref="SessionRevocations"/>).
/// </summary>
public sealed class AccessTokens(IOptions<JwtSettings> options, TimeProvider clock)
{
    public const string SubjectClaim = "sub";
    public const string EmailClaim = "email";
    public const string RoleClaim = "role";
    public const string SessionClaim = "sid";

    private readonly JsonWebTokenHandler _handler = new();

    public int LifetimeSeconds => options.Value.AccessTokenMinutes * 60;

    public string Issue(UserAccount user, Guid sessionId)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(settings.AccessTokenMinutes),
            Subject = new ClaimsIdentity(
            [
                new Claim(SubjectClaim, user.Id.ToString()),
                new Claim(EmailClaim, user.Email),
                new Claim(RoleClaim, user.Role),
                new Claim(SessionClaim, sessionId.ToString()),
            ]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(settings.SigningKeyBytes), SecurityAlgorithms.HmacSha256),
        });
    }

    public static TokenValidationParameters ValidationParameters(JwtSettings settings) => new()
    {
        ValidIssuer = settings.Issuer,
        ValidAudience = settings.Audience,
        // During a rotation the second key validates too: the next key before it signs, the old one until its tokens expire.
        IssuerSigningKeys = settings.PreviousSigningKeyBytes.Length == 0
            ? [new SymmetricSecurityKey(settings.SigningKeyBytes)]
            : [new SymmetricSecurityKey(settings.SigningKeyBytes), new SymmetricSecurityKey(settings.PreviousSigningKeyBytes)],
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        NameClaimType = SubjectClaim,
        RoleClaimType = RoleClaim,
        ClockSkew = TimeSpan.FromSeconds(30),
    };
}
