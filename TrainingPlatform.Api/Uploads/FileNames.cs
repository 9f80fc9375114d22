using System.Text;

namespace TrainingPlatform.Api.Uploads;

/// <summary>
/// Makes a client-supplied file name safe to store and to send back in <c>Content-Disposition</c>: no directories
/// (either separator), no control characters or NUL, no characters Windows forbids, no leading or trailing dots
/// or spaces (so never <c>..</c>), at most 255 characters with the extension kept.
/// </summary>
public static class FileNames
{
    public const int MaxLength = 255;
    private const string Fallback = "file";
    private static readonly char[] Forbidden = ['<', '>', ':', '"', '|', '?', '*'];

    public static string Sanitize(string? name)
    {
        var leaf = (name ?? "").Split('/', '\\')[^1];
        var kept = new StringBuilder(leaf.Length);
        foreach (var c in leaf)
        {
            if (!char.IsControl(c) && Array.IndexOf(Forbidden, c) < 0 && !char.IsSurrogate(c))
            {
                kept.Append(c);
            }
        }
        var cleaned = kept.ToString().Trim().Trim('.').Trim();
        if (cleaned.Length == 0)
        {
            return Fallback;
        }
        if (cleaned.Length <= MaxLength)
        {
            return cleaned;
        }
        var extension = Path.GetExtension(cleaned);
        extension = extension.Length < 16 ? extension : "";
        return cleaned[..(MaxLength - extension.Length)] + extension;
    }
}
