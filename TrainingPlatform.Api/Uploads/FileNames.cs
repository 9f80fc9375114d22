using System.Globalization;
using System.Text;

namespace TrainingPlatform.Api.Uploads;

/// <summary>
/// Makes a client-supplied file name safe to store and to send back in <c>Content-Disposition</c>: no directories
/// (either separator), no control characters or NUL, no characters Windows forbids, no leading or trailing dots
/// or spaces (so never <c>..</c>), no invisible format characters (Unicode category Cf: the bidirectional controls
/// U+202A–U+202E and U+2066–U+2069 that make <c>notes\u202Efdp.exe</c> display as <c>notesexe.pdf</c>, zero-width
/// characters) nor line and paragraph separators, at most 255 characters with the extension kept.
/// </summary>
public static class FileNames
{
    public const int MaxLength = 255;
    private const string Fallback = "file";
    private static readonly char[] Forbidden = ['<', '>', ':', '"', '|', '?', '*'];

    private static bool IsInvisible(char c) =>
        CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    public static string Sanitize(string? name)
    {
        var leaf = (name ?? "").Split('/', '\\')[^1];
        var kept = new StringBuilder(leaf.Length);
        foreach (var c in leaf)
        {
            if (!char.IsControl(c) && Array.IndexOf(Forbidden, c) < 0 && !char.IsSurrogate(c) && !IsInvisible(c))
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
