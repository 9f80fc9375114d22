namespace TrainingPlatform.Api.Accounts;

/// <summary>A request that names an account by email, so the per-account rate limit can partition by it.</summary>
public interface IAccountRequest
{
    string? Email { get; }
}

public sealed record RegisterRequest(string? Email, string? Password, string? DisplayName, string? Role)
    : IAccountRequest, IValidatable<(string Email, string Password, string DisplayName, string Role)>
{
    public const int MaxDisplayNameLength = 100;

    public (string Email, string Password, string DisplayName, string Role) Validate(FieldErrors errors)
    {
        var email = errors.Email("email", Email);
        var password = PasswordPolicy.Check(errors, "password", Password);
        var displayName = errors.Required("displayName", DisplayName?.Trim(), MaxDisplayNameLength);
        if (!Roles.IsKnown(Role))
        {
            errors.Add("role", $"Must be \"{Roles.Learner}\" or \"{Roles.Instructor}\".");
        }
        return (email, password, displayName, Role ?? "");
    }
}

public sealed record TokenRequest(string? Email, string? Password) : IAccountRequest, IValidatable<(string Email, string Password)>
{
    // Not the password policy: an account made before a policy change must still sign in.
    public (string Email, string Password) Validate(FieldErrors errors) =>
        (errors.Email("email", Email), errors.Required("password", Password, PasswordPolicy.MaximumLength));
}

public sealed record RefreshRequest(string? Refresh) : IValidatable<string>
{
    public string Validate(FieldErrors errors) => errors.Required("refresh", Refresh, SecretToken.MaxLength);
}

public sealed record LogoutRequest(string? Refresh);

public sealed record PasswordChangeRequest(string? CurrentPassword, string? NewPassword)
    : IValidatable<(string CurrentPassword, string NewPassword)>
{
    public (string CurrentPassword, string NewPassword) Validate(FieldErrors errors) =>
        (errors.Required("currentPassword", CurrentPassword, PasswordPolicy.MaximumLength), PasswordPolicy.Check(errors, "newPassword", NewPassword));
}

public sealed record PasswordResetRequest(string? Email) : IAccountRequest, IValidatable<string>
{
    public string Validate(FieldErrors errors) => errors.Email("email", Email);
}

public sealed record PasswordResetConfirmRequest(string? Token, string? NewPassword) : IValidatable<(string Token, string NewPassword)>
{
    public (string Token, string NewPassword) Validate(FieldErrors errors) =>
        (errors.Required("token", Token, SecretToken.MaxLength), PasswordPolicy.Check(errors, "newPassword", NewPassword));
}

public sealed record TokenPair(string Access, string Refresh, string TokenType, int ExpiresIn);

public sealed record UserResponse(long Id, string Email, string DisplayName, string Role, DateTime CreatedAt)
{
    public static UserResponse From(UserAccount user) => new(user.Id, user.Email, user.DisplayName, user.Role, user.CreatedAt);
}

public sealed record UserAccount(long Id, string Email, string DisplayName, string Role, string PasswordHash, DateTime CreatedAt);

public static class Roles
{
    public const string Learner = "learner";
    public const string Instructor = "instructor";

    public static bool IsKnown(string? role) => role is Learner or Instructor;
}
