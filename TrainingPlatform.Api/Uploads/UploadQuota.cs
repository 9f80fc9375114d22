using System.Globalization;

namespace TrainingPlatform.Api.Uploads;

/// <summary>
/// What one uploader may store in total: <c>Uploads:MaxFilesPerOwner</c> files and <c>Uploads:MaxBytesPerOwner</c>
/// bytes, checked as <see cref="OwnerQuota"/> says.
/// </summary>
public sealed class UploadQuota(UploadSettings settings)
{
    /// <summary>The uploads' key space of the owner's lock ("UPLD").</summary>
    public const int LockSpace = 0x55_50_4C_44;

    private const string Title = "Upload quota exceeded";

    private sealed record Usage(long Files, long Bytes);

    /// <summary>Waits for the owner's lock and throws <see cref="QuotaExceededException"/> when the file does not fit.</summary>
    public async Task ReserveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long ownerId, long sizeBytes,
        CancellationToken cancellationToken)
    {
        await connection.LockOwnerAsync(transaction, LockSpace, ownerId, cancellationToken);
        var usage = await connection.QuerySingleAsync<Usage>(new CommandDefinition(
            "SELECT count(*) AS Files, coalesce(sum(size_bytes), 0)::bigint AS Bytes FROM course_materials WHERE uploaded_by = @ownerId",
            new { ownerId }, transaction, cancellationToken: cancellationToken));
        if (usage.Files + 1 > settings.MaxFilesPerOwner)
        {
            throw new QuotaExceededException(Title, "Uploads:MaxFilesPerOwner",
                $"You already store {usage.Files} files, the most one uploader may store ({settings.MaxFilesPerOwner}).");
        }
        if (usage.Bytes + sizeBytes > settings.MaxBytesPerOwner)
        {
            throw new QuotaExceededException(Title, "Uploads:MaxBytesPerOwner", string.Create(CultureInfo.InvariantCulture,
                $"You store {usage.Bytes} bytes; with this file's {sizeBytes} that would pass the {settings.MaxBytesPerOwner} bytes one uploader may store."));
        }
    }
}
