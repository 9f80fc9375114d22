namespace TrainingPlatform.Api.PasswordReset;

public sealed record PasswordResetRequest(string? Email) : IAccountRequest, IValidatable<string>
{
    public string Validate(FieldErrors errors) => errors.Email("email", Email);
}

public sealed record PasswordResetConfirmRequest(string? Token, string? NewPassword) : IValidatable<(string Token, string NewPassword)>
{
    public (string Token, string NewPassword) Validate(FieldErrors errors) =>
        (errors.Required("token", Token, SecretToken.MaxLength), PasswordPolicy.Check(errors, "newPassword", NewPassword));
}
