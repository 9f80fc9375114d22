using Microsoft.AspNetCore.Identity;

namespace TrainingPlatform.Api.Accounts;

/// <summary>
/// Password hashing with ASP.NET Core Identity's PBKDF2 hasher (iterations from <c>Passwords:HashIterations</c>).
/// A sign-in for an unknown email is checked against a dummy hash, so it costs the same as a wrong password.
/// </summary>
public sealed class Credentials(IPasswordHasher<UserAccount> hasher)
{
    private static readonly UserAccount Nobody = new(0, "", "", Roles.Learner, "", DateTime.UnixEpoch, DateTime.UnixEpoch);
    private readonly Lazy<string> _dummyHash = new(() => hasher.HashPassword(Nobody, SecretToken.New()));

    public string Hash(string password) => hasher.HashPassword(Nobody, password);

    public CredentialCheck Check(UserAccount? user, string password)
    {
        if (user is null)
        {
            hasher.VerifyHashedPassword(Nobody, _dummyHash.Value, password);
            return CredentialCheck.Wrong;
        }
        return hasher.VerifyHashedPassword(user, user.PasswordHash, password) switch
        {
            PasswordVerificationResult.Success => CredentialCheck.Correct,
            PasswordVerificationResult.SuccessRehashNeeded => CredentialCheck.CorrectButRehash,
            _ => CredentialCheck.Wrong,
        };
    }
}

public enum CredentialCheck
{
    Wrong,
    Correct,
    CorrectButRehash,
}
