using Dapper;
using Npgsql;
using TrainingPlatform.Api.Data;

namespace TrainingPlatform.Api.Uploads;

public sealed record Material(long Id, long CourseId, string FileName, string ContentType, long SizeBytes, string Sha256, DateTime CreatedAt);

/// <summary>Course materials: the bytes in the <c>content</c> bytea column beside their metadata.</summary>
public sealed class MaterialStore(NpgsqlDataSource dataSource, UploadQuota quota)
{
    private const string Columns =
        "m.id AS Id, m.course_id AS CourseId, m.file_name AS FileName, m.content_type AS ContentType, m.size_bytes AS SizeBytes, m.sha256 AS Sha256, m.created_at AS CreatedAt";

    public sealed record Access(Material Material, bool IsOwner, bool IsEnrolled);

    /// <summary>Stores the file within the owner's quota (else <see cref="UploadQuotaExceededException"/>, nothing stored).</summary>
    public Task<Material> CreateAsync(long courseId, long uploadedBy, string fileName, string contentType, byte[] content, string sha256,
        CancellationToken cancellationToken) =>
        dataSource.InTransactionAsync(async (connection, transaction) =>
        {
            await quota.ReserveAsync(connection, transaction, uploadedBy, content.Length, cancellationToken);
            return await connection.QuerySingleAsync<Material>(new CommandDefinition(
                $"""
                INSERT INTO course_materials AS m (course_id, uploaded_by, file_name, content_type, size_bytes, sha256, content)
                VALUES (@courseId, @uploadedBy, @fileName, @contentType, @sizeBytes, @sha256, @content)
                RETURNING {Columns}
                """, new { courseId, uploadedBy, fileName, contentType, sizeBytes = (long)content.Length, sha256, content }, transaction,
                cancellationToken: cancellationToken));
        }, cancellationToken);

    /// <summary>The material's metadata and what <paramref name="userId"/> is to its course; null when it does not exist.</summary>
    public async Task<Access?> FindAsync(long id, long userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Material, bool, bool, Access>(new CommandDefinition(
            $"""
            SELECT {Columns}, c.instructor_id = @userId AS IsOwner,
                   EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = m.course_id AND e.user_id = @userId) AS IsEnrolled
            FROM course_materials m JOIN courses c ON c.id = m.course_id
            WHERE m.id = @id
            """, new { id, userId }, cancellationToken: cancellationToken),
            (material, isOwner, isEnrolled) => new Access(material, isOwner, isEnrolled), splitOn: "IsOwner,IsEnrolled");
        return rows.SingleOrDefault();
    }

    public async Task<byte[]> ContentAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<byte[]>(new CommandDefinition(
            "SELECT content FROM course_materials WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }
}
