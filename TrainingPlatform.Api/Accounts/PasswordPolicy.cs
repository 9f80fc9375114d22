using Zxcvbn.Matcher;

namespace TrainingPlatform.Api.Accounts;

/// <summary>
/// A new password: at least <see cref="MinimumLength"/> characters, at most <see cref="MaximumLength"/> (so a
/// passphrase of 64 and more fits, ASVS 6.2.9), and hard to guess by zxcvbn's estimate (its dictionaries of common
/// passwords, words and names, keyboard patterns, sequences, repeats and dates, and the account's own email and
/// display name): a score of at least <see cref="MinimumScore"/>. A refusal says which patterns made it guessable.
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 10;
    public const int MaximumLength = 128;

    /// <summary>zxcvbn's 3: "safely unguessable", about 10^8 guesses or more.</summary>
    public const int MinimumScore = 3;

    /// <summary>
    /// zxcvbn reads this many characters at most: its cost grows faster than the length (measured here, on a loaded
    /// 2-core machine, roughly 70–130 ms at 64 characters against 180–350 ms at 128), and what follows a strong
    /// beginning only makes a password stronger.
    /// </summary>
    public const int EstimatedLength = 64;

    /// <summary>A required new password that meets the policy, checked into <paramref name="errors"/>.</summary>
    public static string Check(FieldErrors errors, string field, string? password, params string?[] userInputs)
    {
        if (string.IsNullOrEmpty(password))
        {
            errors.Add(field, "This field is required.");
            return "";
        }
        if (Weakness(password, userInputs) is { } weakness)
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
    public static string? Weakness(string password, params string?[] userInputs)
    {
        if (password.Length < MinimumLength)
        {
            return $"Must be at least {MinimumLength} characters.";
        }
        if (password.Length > MaximumLength)
        {
            return $"Must be at most {MaximumLength} characters.";
        }
        var estimate = Zxcvbn.Zxcvbn.MatchPassword(password[..Math.Min(password.Length, EstimatedLength)], UserWords(userInputs));
        if (estimate.Score >= MinimumScore)
        {
            return null;
        }
        // zxcvbn-core 1.x gives no feedback text of its own: the reasons are the patterns it matched. They are named,
        // never quoted, so no part of the password is echoed back.
        var reasons = estimate.MatchSequence.Select(Reason).OfType<string>().Distinct().ToList();
        return "Too easy to guess" + (reasons.Count > 0 ? ": " + string.Join("; ", reasons) : "")
            + ". Use a longer passphrase of several uncommon words.";
    }

    /// <summary>The account's own email and name, whole and word by word: zxcvbn matches whole entries, so the address alone would not catch its parts.</summary>
    private static IEnumerable<string> UserWords(string?[] userInputs) =>
        userInputs.OfType<string>()
            .SelectMany(input => input.Split((char[])[' ', '.', '@', '-', '_', '+'], StringSplitOptions.RemoveEmptyEntries).Append(input))
            .Where(word => word.Length >= 3)
            .Select(word => word.ToLowerInvariant());

    private static string? Reason(Zxcvbn.Match match) => match switch
    {
        DictionaryMatch { DictionaryName: "passwords" } => "it contains a commonly used password",
        DictionaryMatch { DictionaryName: "user_inputs" } => "it contains your email or name",
        DictionaryMatch => "it is made of common words or names",
        SpatialMatch => "it contains a keyboard pattern",
        RepeatMatch => "it repeats characters",
        SequenceMatch => "it contains a sequence of letters or digits",
        DateMatch => "it contains a date",
        { Pattern: "digits" or "year" } => "it contains a number or year",
        _ => null,
    };
}
