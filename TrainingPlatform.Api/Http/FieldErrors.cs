using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Mail;
using System.Text;

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

    /// <summary>
    /// A required name shown to other people and put into emails: one line of visible text. Control and format
    /// characters (categories Cc, Cf, Zl, Zp: CR, LF, tabs, bidi overrides, zero-width characters) and lone surrogates
    /// are refused, so a name cannot add lines to an email or turn text around on screen.
    /// </summary>
    public string DisplayText(string field, string? value, int maxLength)
    {
        var text = Required(field, value, maxLength);
        for (var i = 0; i < text.Length;)
        {
            var whole = Rune.TryGetRuneAt(text, i, out var rune);
            if (!whole || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control
                or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                Add(field, $"Must be one line of visible text: U+{(whole ? rune.Value : text[i]):X4} (a control, format or line-breaking character) is not allowed.");
                break;
            }
            i += rune.Utf16SequenceLength;
        }
        return text;
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
