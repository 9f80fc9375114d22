using Microsoft.AspNetCore.OutputCaching;

namespace TrainingPlatform.Api.Courses;

public sealed class CourseStore(NpgsqlDataSource dataSource, [FromKeyedServices(DatabaseServices.Reads)] NpgsqlDataSource reads, IOutputCacheStore listCache, CourseQuota quota)
{
    internal const string Columns =
        "id AS Id, title AS Title, description AS Description, published AS Published, instructor_id AS InstructorId, created_at AS CreatedAt, updated_at AS UpdatedAt";

    /// <summary>A row of <see cref="Columns"/>, in their order, without Dapper (<see cref="KeyLookups"/>).</summary>
    private static Course ReadRow(NpgsqlDataReader row) =>
        new(row.GetInt64(0), row.GetString(1), row.GetString(2), row.GetBoolean(3), row.GetInt64(4), row.GetDateTime(5), row.GetDateTime(6));

    /// <summary>Published courses plus the viewer's own drafts, newest first: count and page in one round trip.</summary>
    public async Task<Page<Course>> ListVisibleAsync(long? viewerId, Paging paging, CancellationToken cancellationToken)
    {
        // Anonymous viewers have a filter of their own, so the plan uses the published-courses index rather than
        // an OR that Postgres must plan for any viewer.
        var visible = viewerId is null ? "published" : CourseAccess.VisibleSql("courses", "@viewerId");
        await using var connection = await reads.OpenConnectionAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            $"""
            SELECT count(*) FROM courses WHERE {visible};
            SELECT {Columns} FROM courses WHERE {visible} ORDER BY id DESC LIMIT @limit OFFSET @offset;
            """, new { viewerId, paging.Limit, paging.Offset }, cancellationToken: cancellationToken));
        var total = await results.ReadSingleAsync<long>();
        var items = await results.ReadAsync<Course>();
        return new Page<Course>(items.AsList(), total, paging.Limit, paging.Offset);
    }

    public Task<Course?> FindAsync(long id, CancellationToken cancellationToken) =>
        reads.FindByKeyAsync($"SELECT {Columns} FROM courses WHERE id = $1", id, ReadRow, cancellationToken);

    /// <summary>Creates the course within the instructor's quota (else <see cref="QuotaExceededException"/>, nothing stored).</summary>
    public async Task<Course> CreateAsync(long instructorId, string title, string description, bool published, CancellationToken cancellationToken)
    {
        var course = await dataSource.InTransactionAsync(async (connection, transaction) =>
        {
            await quota.ReserveCourseAsync(connection, transaction, instructorId, title, description, replacing: null, cancellationToken);
            return await connection.QuerySingleAsync<Course>(new CommandDefinition(
                $"""
                INSERT INTO courses (instructor_id, title, description, published) VALUES (@instructorId, @title, @description, @published)
                RETURNING {Columns}
                """, new { instructorId, title, description, published }, transaction, cancellationToken: cancellationToken));
        }, cancellationToken);
        await listCache.EvictAsync();
        return course;
    }

    /// <summary>Updates <paramref name="instructorId"/>'s course within their quota; null when it no longer exists.</summary>
    public async Task<Course?> UpdateAsync(long id, long instructorId, string title, string description, bool published, CancellationToken cancellationToken)
    {
        var course = await dataSource.InTransactionAsync(async (connection, transaction) =>
        {
            await quota.ReserveCourseAsync(connection, transaction, instructorId, title, description, replacing: id, cancellationToken);
            return await connection.QuerySingleOrDefaultAsync<Course>(new CommandDefinition(
                $"""
                UPDATE courses SET title = @title, description = @description, published = @published, updated_at = now()
                WHERE id = @id AND instructor_id = @instructorId RETURNING {Columns}
                """, new { id, instructorId, title, description, published }, transaction, cancellationToken: cancellationToken));
        }, cancellationToken);
        await listCache.EvictAsync();
        return course;
    }

    /// <summary>Deletes the course with its lessons, enrollments and materials.</summary>
    public async Task<int> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        var deleted = await dataSource.InTransactionAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM courses WHERE id = @id", new { id }, transaction, cancellationToken: cancellationToken)), cancellationToken);
        await listCache.EvictAsync();
        return deleted;
    }
}
