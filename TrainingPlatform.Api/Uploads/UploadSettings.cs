namespace TrainingPlatform.Api.Uploads;

/// <summary>
/// The <c>Uploads</c> configuration section:
/// <c>MaxBytes</c> (per file, default 10 MB; larger → 413),
/// <c>AllowedContentTypes</c> (default PDF, PNG, JPEG, GIF, WebP, Word/Excel/PowerPoint old and new, plain text,
/// Markdown, ZIP, MP4; others → 415; each must be a type <see cref="ContentSniffing"/> can recognise),
/// <c>MaxBytesPerOwner</c> (default 1 GiB) and <c>MaxFilesPerOwner</c> (default 500): what one uploader may store
/// in total (over either → 409, see <see cref="UploadQuota"/>).
/// </summary>
public sealed record UploadSettings(long MaxBytes, IReadOnlySet<string> AllowedContentTypes, long MaxBytesPerOwner, int MaxFilesPerOwner)
{
    public const long DefaultMaxBytes = 10 * 1024 * 1024;
    public const long DefaultMaxBytesPerOwner = 1024L * 1024 * 1024;
    public const int DefaultMaxFilesPerOwner = 500;

    // Room for the multipart boundaries, part headers and the courseId field around the file itself.
    public const long MultipartOverheadBytes = 64 * 1024;

    private static readonly string[] DefaultContentTypes =
    [
        "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
        "text/plain", "text/markdown", "application/zip", "video/mp4",
    ];

    public static UploadSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Uploads");
        var types = section.GetSection("AllowedContentTypes").Get<string[]>() is { Length: > 0 } configured ? configured : DefaultContentTypes;
        var allowed = types.Select(t => t.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (allowed.FirstOrDefault(type => !ContentSniffing.Recognises(type)) is { } unknown)
        {
            throw new InvalidOperationException(
                $"Uploads:AllowedContentTypes lists \"{unknown}\", whose content cannot be checked. Recognised types: {string.Join(", ", ContentSniffing.RecognisedTypes)}.");
        }
        return new UploadSettings(
            section.GetValue("MaxBytes", DefaultMaxBytes),
            allowed,
            section.GetValue("MaxBytesPerOwner", DefaultMaxBytesPerOwner),
            section.GetValue("MaxFilesPerOwner", DefaultMaxFilesPerOwner));
    }
}
