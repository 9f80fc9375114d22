using System.Buffers;
using System.Data;
using NpgsqlTypes;
using TrainingPlatform.Api.Courses;

namespace TrainingPlatform.Api.Uploads;

public sealed record Material(long Id, long CourseId, string FileName, string ContentType, long SizeBytes, string Sha256, DateTime CreatedAt);

/// <summary>
/// Course materials: the bytes in the <c>content</c> bytea column beside their metadata. Bytes move through bounded
/// buffers both ways, so a file's size never becomes the API's memory per request: uploads stream into the insert,
/// downloads read one <see cref="ChunkBytes"/> slice per query.
/// </summary>
public sealed class MaterialStore(NpgsqlDataSource dataSource, [FromKeyedServices(DatabaseServices.Reads)] NpgsqlDataSource reads, UploadQuota quota)
{
    /// <summary>
    /// The most a download holds in memory. Each slice is its own short query, so a slow reader holds a buffer,
    /// never a pooled connection.
    /// </summary>
    public const int ChunkBytes = 128 * 1024;

    private const string Columns =
        "m.id AS Id, m.course_id AS CourseId, m.file_name AS FileName, m.content_type AS ContentType, m.size_bytes AS SizeBytes, m.sha256 AS Sha256, m.created_at AS CreatedAt";

    /// <summary>The material, and whether the user may read it (<see cref="CourseAccess.ReaderSql"/>).</summary>
    public sealed record Access(Material Material, bool MayRead);

    /// <summary>
    /// Stores <paramref name="length"/> bytes read from <paramref name="content"/> (Npgsql sends them to the server as it
    /// reads) within the owner's quota (else <see cref="QuotaExceededException"/>, nothing stored).
    /// </summary>
    public Task<Material> CreateAsync(long courseId, long uploadedBy, string fileName, string contentType, Stream content, long length, string sha256,
        CancellationToken cancellationToken) =>
        dataSource.InTransactionAsync(async (connection, transaction) =>
        {
            await quota.ReserveAsync(connection, transaction, uploadedBy, length, cancellationToken);
            return await connection.QuerySingleAsync<Material>(new CommandDefinition(
                $"""
                INSERT INTO course_materials AS m (course_id, uploaded_by, file_name, content_type, size_bytes, sha256, content)
                VALUES (@courseId, @uploadedBy, @fileName, @contentType, @sizeBytes, @sha256, @content)
                RETURNING {Columns}
                """, new { courseId, uploadedBy, fileName, contentType, sizeBytes = length, sha256, content = new StreamedBytes(content, length) },
                transaction, cancellationToken: cancellationToken));
        }, cancellationToken);

    /// <summary>The material's metadata and whether <paramref name="userId"/> may read it; null when it does not exist.</summary>
    public async Task<Access?> FindAsync(long id, long userId, CancellationToken cancellationToken)
    {
        await using var connection = await reads.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Material, bool, Access>(new CommandDefinition(
            $"""
            SELECT {Columns}, {CourseAccess.ReaderSql("c", "@userId")} AS MayRead
            FROM course_materials m JOIN courses c ON c.id = m.course_id
            WHERE m.id = @id
            """, new { id, userId }, cancellationToken: cancellationToken),
            (material, mayRead) => new Access(material, mayRead), splitOn: "MayRead");
        return rows.SingleOrDefault();
    }

    /// <summary>
    /// Copies the material's <paramref name="size"/> bytes to <paramref name="destination"/> slice by slice (the column
    /// is stored uncompressed, so Postgres reads only the slice's pages). A material deleted meanwhile ends the copy
    /// with an exception: the response stops short of its Content-Length, which the client sees as incomplete.
    /// </summary>
    public async Task CopyContentAsync(long id, long size, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (long offset = 0; offset < size;)
            {
                var count = (int)Math.Min(ChunkBytes, size - offset);
                var read = await ReadSliceAsync(id, offset, buffer.AsMemory(0, count), cancellationToken);
                if (read != count)
                {
                    throw new InvalidOperationException($"Material {id} changed or vanished during its download.");
                }
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<int> ReadSliceAsync(long id, long offset, Memory<byte> slice, CancellationToken cancellationToken)
    {
        await using var command = reads.CreateCommand("SELECT substring(content FROM @from FOR @count) FROM course_materials WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("from", checked((int)offset + 1));
        command.Parameters.AddWithValue("count", slice.Length);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess | CommandBehavior.SingleRow, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return 0;
        }
        await using var stream = await reader.GetStreamAsync(0, cancellationToken);
        return await stream.ReadAtLeastAsync(slice, slice.Length, throwOnEndOfStream: false, cancellationToken);
    }

    /// <summary>A bytea parameter that Npgsql reads from a stream while sending, rather than a byte array in memory.</summary>
    private sealed class StreamedBytes(Stream content, long length) : SqlMapper.ICustomQueryParameter
    {
        public void AddParameter(IDbCommand command, string name) =>
            command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Bytea) { Value = content, Size = checked((int)length) });
    }
}
