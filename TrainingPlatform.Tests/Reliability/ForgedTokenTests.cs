using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TrainingPlatform.Tests.Reliability;

/// <summary>Bearer tokens an attacker can make: each one is a 401 problem and a security event, and writes nothing.</summary>
[Collection(ReliabilityCollection.Name)]
public class ForgedTokenTests(HostileApi api)
{
    private const string Issuer = "training-platform";

    public static TheoryData<string> Forgeries() =>
    [
        "signed with another key", "alg none", "signature stripped", "payload tampered after signing", "expired", "not yet valid",
        "wrong audience", "wrong issuer", "HS512 instead of HS256", "refresh token as access token", "garbage", "empty",
        "no session id", "made-up session id",
    ];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_token_is_a_401_that_reads_and_writes_nothing(string forgery)
    {
        var token = Forge(forgery);
        using var client = api.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var me = await api.AssertRejectedAsync(() => client.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized, "unauthorized");
        Assert.DoesNotContain(api.Instructor.Email, await me.Content.ReadAsStringAsync());
        await api.AssertRejectedAsync(() => client.PostAsJsonAsync("/api/v1/courses", new { title = "forged", description = "", published = true }),
            HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task The_genuine_token_the_forgeries_imitate_is_accepted()
    {
        using var client = api.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Sign(Claims(), ApiProcess.SigningKey, SecurityAlgorithms.HmacSha256));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/auth/me")).StatusCode);
    }

    private string Forge(string forgery)
    {
        var key = ApiProcess.SigningKey;
        var hs256 = SecurityAlgorithms.HmacSha256;
        var now = DateTime.UtcNow;
        return forgery switch
        {
            "signed with another key" => Sign(Claims(), "another-key-of-the-same-length-0123456789-abcdefghijklmnopqrstuv", hs256),
            "alg none" => Unsigned(Claims()),
            "signature stripped" => Sign(Claims(), key, hs256)[..(Sign(Claims(), key, hs256).LastIndexOf('.') + 1)],
            "payload tampered after signing" => Tamper(Sign(Claims(role: "learner"), key, hs256)),
            "expired" => Sign(Claims(notBefore: now.AddHours(-2), expires: now.AddHours(-1)), key, hs256),
            "not yet valid" => Sign(Claims(notBefore: now.AddHours(1), expires: now.AddHours(2)), key, hs256),
            "wrong audience" => Sign(Claims(audience: "some-other-service"), key, hs256),
            "wrong issuer" => Sign(Claims(issuer: "https://attacker.example"), key, hs256),
            // The right key with another algorithm: only the algorithm restriction can refuse it.
            "HS512 instead of HS256" => Sign(Claims(), key, SecurityAlgorithms.HmacSha512),
            "refresh token as access token" => api.Instructor.Tokens.Refresh,
            "garbage" => "not.a.token",
            "empty" => "",
            "no session id" => Sign(Claims(withSession: false), key, hs256),
            "made-up session id" => Sign(Claims(sessionId: Guid.NewGuid().ToString()), key, hs256),
            _ => throw new ArgumentOutOfRangeException(nameof(forgery)),
        };
    }

    // The instructor's real session, so that only the forged part differs from a genuine token.
    private string RealSession => new JsonWebToken(api.Instructor.Tokens.Access).GetClaim("sid").Value;

    private SecurityTokenDescriptor Claims(string role = "instructor", string audience = Issuer, string issuer = Issuer,
        DateTime? notBefore = null, DateTime? expires = null, bool withSession = true, string? sessionId = null) => new()
    {
        Issuer = issuer,
        Audience = audience,
        NotBefore = notBefore ?? DateTime.UtcNow.AddMinutes(-1),
        Expires = expires ?? DateTime.UtcNow.AddMinutes(10),
        IssuedAt = notBefore ?? DateTime.UtcNow.AddMinutes(-1),
        Subject = new ClaimsIdentity(new[] { new Claim("sub", api.Instructor.Id.ToString()), new Claim("email", api.Instructor.Email), new Claim("role", role) }
            .Concat(withSession ? [new Claim("sid", sessionId ?? RealSession)] : [])),
    };

    private static string Sign(SecurityTokenDescriptor descriptor, string key, string algorithm)
    {
        descriptor.SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), algorithm);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static string Unsigned(SecurityTokenDescriptor descriptor)
    {
        var signed = Sign(descriptor, ApiProcess.SigningKey, SecurityAlgorithms.HmacSha256);
        return Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""") + "." + signed.Split('.')[1] + ".";
    }

    // Swaps the payload for one claiming the instructor role, keeping the learner token's valid signature.
    private string Tamper(string signed)
    {
        var parts = signed.Split('.');
        var original = Base64UrlEncoder.Decode(parts[1]);
        var payload = original.Replace("\"role\":\"learner\"", "\"role\":\"instructor\"");
        // The role claim itself changed (the email may well contain "instructor" too).
        Assert.Equal("learner", JsonDocument.Parse(original).RootElement.GetProperty("role").GetString());
        Assert.Equal("instructor", JsonDocument.Parse(payload).RootElement.GetProperty("role").GetString());
        return parts[0] + "." + Base64UrlEncoder.Encode(payload) + "." + parts[2];
    }
}
