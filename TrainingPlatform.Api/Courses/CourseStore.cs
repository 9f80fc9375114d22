using Dapper;
using Npgsql;
using TrainingPlatform.Api.Data;
using TrainingPlatform.Api.Http;

namespace TrainingPlatform.Api.Courses;

public sealed class CourseStore(NpgsqlDataSource dataSource)
{
    private const string Columns =
        "id AS Id, title AS Title, description AS Description, published AS Published, instructor_id AS InstructorId, created_at AS CreatedAt, updated_at AS UpdatedAt";

    /// <summary>Published courses plus the viewer's own drafts, newest first.</summary>
    public async Task<Page<Course>> ListVisibleAsync(long? viewerId, Paging paging, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var parameters = new { viewerId, paging.Limit, paging.Offset };
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM courses WHERE published OR instructor_id = @viewerId", parameters, cancellationToken: cancellationToken));
        var items = await connection.QueryAsync<Course>(new CommandDefinition(
            $"SELECT {Columns} FROM courses WHERE published OR instructor_id = @viewerId ORDER BY id DESC LIMIT @limit OFFSET @offset",
            parameters, cancellationToken: cancellationToken));
        return new Page<Course>(items.AsList(), total, paging.Limit, paging.Offset);
    }

    public async Task<Course?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Course>(new CommandDefinition(
            $"SELECT {Columns} FROM courses WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public Task<Course> CreateAsync(long instructorId, string title, string description, bool published, CancellationToken cancellationToken) =>
        dataSource.InTransactionAsync((connection, transaction) => connection.QuerySingleAsync<Course>(new CommandDefinition(
            $"""
            INSERT INTO courses (instructor_id, title, description, published) VALUES (@instructorId, @title, @description, @published)
            RETURNING {Columns}
            """, new { instructorId, title, description, published }, transaction, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Updates the course; null when it no longer exists.</summary>
    public Task<Course?> UpdateAsync(long id, string title, string description, bool published, CancellationToken cancellationToken) =>
        dataSource.InTransactionAsync((connection, transaction) => connection.QuerySingleOrDefaultAsync<Course>(new CommandDefinition(
            $"""
            UPDATE courses SET title = @title, description = @description, published = @published, updated_at = now()
            WHERE id = @id RETURNING {Columns}
            """, new { id, title, description, published }, transaction, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Deletes the course with its lessons, enrollments and materials.</summary>
    public Task<int> DeleteAsync(long id, CancellationToken cancellationToken) =>
        dataSource.InTransactionAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM courses WHERE id = @id", new { id }, transaction, cancellationToken: cancellationToken)), cancellationToken);
}
