namespace TrainingPlatform.Api.Uploads;

/// <summary>
/// <c>Uploads:MaxBytes</c> (default 10 MB; larger files → 413) and <c>Uploads:AllowedContentTypes</c>
/// (default PDF, PNG, JPEG, plain text, Markdown, ZIP, MP4; others → 415).
/// </summary>
public sealed record UploadSettings(long MaxBytes, IReadOnlySet<string> AllowedContentTypes)
{
    public const long DefaultMaxBytes = 10 * 1024 * 1024;

    // Room for the multipart boundaries, part headers and the courseId field around the file itself.
    public const long MultipartOverheadBytes = 64 * 1024;

    private static readonly string[] DefaultContentTypes =
        ["application/pdf", "image/png", "image/jpeg", "text/plain", "text/markdown", "application/zip", "video/mp4"];

    public static UploadSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Uploads");
        var types = section.GetSection("AllowedContentTypes").Get<string[]>() is { Length: > 0 } configured ? configured : DefaultContentTypes;
        return new UploadSettings(
            section.GetValue("MaxBytes", DefaultMaxBytes),
            types.Select(t => t.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase));
    }
}
