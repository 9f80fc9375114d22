using System.Collections.Frozen;

namespace TrainingPlatform.Api.Accounts;

/// <summary>At least 10 characters, at most 128, and not one of the commonly used passwords (common-passwords.txt).</summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 10;
    public const int MaximumLength = 128;

    private static readonly FrozenSet<string> Common = LoadCommon();

    /// <summary>A required new password that meets the policy, checked into <paramref name="errors"/>.</summary>
    public static string Check(FieldErrors errors, string field, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            errors.Add(field, "This field is required.");
            return "";
        }
        if (Weakness(password) is { } weakness)
        {
            errors.Add(field, weakness);
        }
        // Sign-in rejects NUL like every other text field, so a password holding one could never be used.
        if (password.Contains('\0'))
        {
            errors.Add(field, FieldErrors.NulMessage);
        }
        return password;
    }

    /// <summary>Why <paramref name="password"/> is not acceptable, or null when it is.</summary>
    public static string? Weakness(string password) =>
        password.Length < MinimumLength ? $"Must be at least {MinimumLength} characters."
        : password.Length > MaximumLength ? $"Must be at most {MaximumLength} characters."
        : Common.Contains(password) ? "This password is too common; choose another."
        : null;

    private static FrozenSet<string> LoadCommon()
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("TrainingPlatform.Api.Accounts.common-passwords.txt")
            ?? throw new InvalidOperationException("The embedded common password list is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }
}
