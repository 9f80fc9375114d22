using System.Diagnostics.CodeAnalysis;
using System.Net.Mail;

namespace TrainingPlatform.Api.Http;

/// <summary>Collects field errors (keys are the camelCase JSON names) for a 400 validation problem.</summary>
public sealed class FieldErrors
{
    public const int MaxEmailLength = 254;
    public const string NulMessage = "Must not contain the NUL character (U+0000).";

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    private FieldErrors()
    {
    }

    /// <summary>
    /// Runs <paramref name="rules"/> over the request's fields: true with the values they give when every field is
    /// valid, else false with the 400 problem that names each field in error (the values are then meaningless).
    /// </summary>
    public static bool TryValidate<T>(Func<FieldErrors, T> rules, out T valid, [NotNullWhen(false)] out ValidationProblem? problem)
    {
        var errors = new FieldErrors();
        valid = rules(errors);
        problem = errors._errors.Count > 0 ? errors.ToProblem() : null;
        return problem is null;
    }

    /// <summary>The 400 problem for one field found wrong after its own checks passed (a wrong password, a spent token).</summary>
    public static ValidationProblem Problem(string field, string message)
    {
        var errors = new FieldErrors();
        errors.Add(field, message);
        return errors.ToProblem();
    }

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }
        messages.Add(message);
    }

    /// <summary>A required text: present, not blank, and at most <paramref name="maxLength"/> characters.</summary>
    public string Required(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "This field is required.");
            return "";
        }
        return MaxLength(field, value, maxLength);
    }

    /// <summary>At most <paramref name="maxLength"/> characters, and no NUL, which PostgreSQL text cannot store.</summary>
    public string MaxLength(string field, string value, int maxLength)
    {
        if (value.Length > maxLength)
        {
            Add(field, $"Must be at most {maxLength} characters.");
        }
        if (value.Contains('\0'))
        {
            Add(field, NulMessage);
        }
        return value;
    }

    /// <summary>A required email address of at most 254 characters, returned normalised (trimmed, lower case).</summary>
    public string Email(string field, string? value)
    {
        var email = Required(field, value?.Trim(), MaxEmailLength).ToLowerInvariant();
        if (email.Length > 0 && !(MailAddress.TryCreate(email, out var parsed) && parsed.Address == email))
        {
            Add(field, "Must be an email address.");
        }
        return email;
    }

    private ValidationProblem ToProblem() =>
        TypedResults.ValidationProblem(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}
