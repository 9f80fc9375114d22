using System.Globalization;

namespace TrainingPlatform.Api.Uploads;

/// <summary>
/// What one uploader may store in total: <c>Uploads:MaxFilesPerOwner</c> files and <c>Uploads:MaxBytesPerOwner</c>
/// bytes. Checked inside the transaction that stores the file, under a per-owner advisory lock, so two uploads at
/// once cannot both fit into the last free room.
/// </summary>
public sealed class UploadQuota(UploadSettings settings)
{
    /// <summary>The two-key form of the advisory lock: its key space is separate from the one-key lock the schema migrator takes ("UPLD").</summary>
    public const int LockSpace = 0x55_50_4C_44;

    private sealed record Usage(long Files, long Bytes);

    /// <summary>Waits for the owner's lock and throws <see cref="UploadQuotaExceededException"/> when the file does not fit.</summary>
    public async Task ReserveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long ownerId, long sizeBytes,
        CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@LockSpace, hashint8(@ownerId))", new { LockSpace, ownerId }, transaction, cancellationToken: cancellationToken));
        var usage = await connection.QuerySingleAsync<Usage>(new CommandDefinition(
            "SELECT count(*) AS Files, coalesce(sum(size_bytes), 0)::bigint AS Bytes FROM course_materials WHERE uploaded_by = @ownerId",
            new { ownerId }, transaction, cancellationToken: cancellationToken));
        if (usage.Files + 1 > settings.MaxFilesPerOwner)
        {
            throw new UploadQuotaExceededException("Uploads:MaxFilesPerOwner",
                $"You already store {usage.Files} files, the most one uploader may store ({settings.MaxFilesPerOwner}).");
        }
        if (usage.Bytes + sizeBytes > settings.MaxBytesPerOwner)
        {
            throw new UploadQuotaExceededException("Uploads:MaxBytesPerOwner", string.Create(CultureInfo.InvariantCulture,
                $"You store {usage.Bytes} bytes; with this file's {sizeBytes} that would pass the {settings.MaxBytesPerOwner} bytes one uploader may store."));
        }
    }
}

/// <summary>Thrown inside the storing transaction, so nothing of the upload is committed.</summary>
public sealed class UploadQuotaExceededException(string limit, string detail) : Exception(detail)
{
    public string Limit { get; } = limit;

    public ProblemHttpResult ToProblem() => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Upload quota exceeded",
        detail: Message, extensions: new Dictionary<string, object?> { ["limit"] = Limit });
}
