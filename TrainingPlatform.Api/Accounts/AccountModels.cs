namespace TrainingPlatform.Api.Accounts;

/// <summary>A request that names an account by email, so the per-account rate limit can partition by it.</summary>
public interface IAccountRequest
{
    string? Email { get; }
}

public sealed record RegisterRequest(string? Email, string? Password, string? DisplayName, string? Role) : IAccountRequest;

public sealed record TokenRequest(string? Email, string? Password) : IAccountRequest;

public sealed record RefreshRequest(string? Refresh);

public sealed record LogoutRequest(string? Refresh);

public sealed record PasswordChangeRequest(string? CurrentPassword, string? NewPassword);

public sealed record PasswordResetRequest(string? Email) : IAccountRequest;

public sealed record PasswordResetConfirmRequest(string? Token, string? NewPassword);

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
