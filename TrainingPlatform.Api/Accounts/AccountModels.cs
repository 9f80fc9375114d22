namespace TrainingPlatform.Api.Accounts;

public sealed record RegisterRequest(string? Email, string? Password, string? DisplayName, string? Role)
    : IAccountRequest, IValidatable<(string Email, string Password, string DisplayName, string Role)>
{
    public const int MaxDisplayNameLength = 100;

    public (string Email, string Password, string DisplayName, string Role) Validate(FieldErrors errors)
    {
        var email = errors.Email("email", Email);
        var password = PasswordPolicy.Check(errors, "password", Password, Email, DisplayName);
        var displayName = errors.DisplayText("displayName", DisplayName?.Trim(), MaxDisplayNameLength);
        if (!Roles.IsKnown(Role))
        {
            errors.Add("role", $"Must be \"{Roles.Learner}\" or \"{Roles.Instructor}\".");
        }
        return (email, password, displayName, Role ?? "");
    }
}

public sealed record UserResponse(long Id, string Email, string DisplayName, string Role, DateTime CreatedAt)
{
    public static UserResponse From(UserAccount user) => new(user.Id, user.Email, user.DisplayName, user.Role, user.CreatedAt);
}

/// <param name="PasswordChangedAt">When the password was last replaced: a sign-in or change checked against this account
/// may write only while it is still the stored one (<see cref="UserStore.LockUnchangedPasswordAsync"/>).</param>
public sealed record UserAccount(long Id, string Email, string DisplayName, string Role, string PasswordHash, DateTime CreatedAt,
    DateTime PasswordChangedAt);

public static class Roles
{
    public const string Learner = "learner";
    public const string Instructor = "instructor";

    public static bool IsKnown(string? role) => role is Learner or Instructor;
}
