namespace TrainingPlatform.Api.Sessions;

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

public sealed record TokenPair(string Access, string Refresh, string TokenType, int ExpiresIn);
