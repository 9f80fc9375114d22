using System.Buffers;
using System.Text.Unicode;

namespace TrainingPlatform.Api.Uploads;

/// <summary>
/// Checks a file's leading bytes against its declared type, so a declared <c>application/pdf</c> is a PDF and not an
/// executable or an HTML page. Binary types by their magic numbers; text types by being UTF-8 without NUL.
/// </summary>
public static class ContentSniffing
{
    /// <summary>How much of the file is read: enough for every signature and a fair sample of a text file.</summary>
    public const int LeadingBytes = 512;

    // OOXML documents are ZIP archives; the legacy Office formats are OLE compound files.
    private static readonly byte[] Ooxml = "PK\x03\x04"u8.ToArray();
    private static readonly byte[] Ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    /// <summary>The first bytes of a file, and whether they are all of it.</summary>
    private sealed record Sample(byte[] Bytes, bool IsWhole);

    private static readonly Dictionary<string, Func<Sample, bool>> Checks = new(StringComparer.OrdinalIgnoreCase)
    {
        ["application/pdf"] = file => At(file, 0, "%PDF-"u8),
        ["image/png"] = file => At(file, 0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        ["image/jpeg"] = file => At(file, 0, [0xFF, 0xD8, 0xFF]),
        ["image/gif"] = file => At(file, 0, "GIF87a"u8) || At(file, 0, "GIF89a"u8),
        ["image/webp"] = file => At(file, 0, "RIFF"u8) && At(file, 8, "WEBP"u8),
        ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"] = file => At(file, 0, Ooxml),
        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = file => At(file, 0, Ooxml),
        ["application/vnd.openxmlformats-officedocument.presentationml.presentation"] = file => At(file, 0, Ooxml),
        ["application/msword"] = file => At(file, 0, Ole),
        ["application/vnd.ms-excel"] = file => At(file, 0, Ole),
        ["application/vnd.ms-powerpoint"] = file => At(file, 0, Ole),
        // A local file header, or the end-of-directory record alone (an empty archive).
        ["application/zip"] = file => At(file, 0, Ooxml) || At(file, 0, "PK\x05\x06"u8),
        ["video/mp4"] = file => At(file, 4, "ftyp"u8),
        ["text/plain"] = IsText,
        ["text/markdown"] = IsText,
    };

    public static IEnumerable<string> RecognisedTypes => Checks.Keys.Order();

    public static bool Recognises(string mediaType) => Checks.ContainsKey(mediaType);

    /// <summary>True when the first bytes of <paramref name="file"/> are what <paramref name="mediaType"/> starts with.</summary>
    public static async Task<bool> MatchesAsync(IFormFile file, string mediaType, CancellationToken cancellationToken)
    {
        var leading = new byte[(int)Math.Min(file.Length, LeadingBytes)];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(leading, cancellationToken);
        }
        return Checks.TryGetValue(mediaType, out var check) && check(new Sample(leading, leading.Length == file.Length));
    }

    private static bool At(Sample sample, int offset, ReadOnlySpan<byte> signature) =>
        sample.Bytes.Length >= offset + signature.Length && sample.Bytes.AsSpan(offset).StartsWith(signature);

    // UTF-8 without NUL; a sample cut from a longer file may end inside a character.
    private static bool IsText(Sample sample)
    {
        if (sample.Bytes.AsSpan().Contains((byte)0))
        {
            return false;
        }
        var status = Utf8.ToUtf16(sample.Bytes, new char[sample.Bytes.Length], out _, out _, replaceInvalidSequences: false, isFinalBlock: sample.IsWhole);
        return status == OperationStatus.Done || (status == OperationStatus.NeedMoreData && !sample.IsWhole);
    }
}
