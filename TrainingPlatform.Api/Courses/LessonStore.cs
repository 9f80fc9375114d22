namespace TrainingPlatform.Api.Courses;

public sealed class LessonStore(NpgsqlDataSource dataSource, [FromKeyedServices(DatabaseServices.Reads)] NpgsqlDataSource reads, CourseQuota quota)
{
    private const string Columns =
        "id AS Id, course_id AS CourseId, position AS Position, title AS Title, content AS Content, created_at AS CreatedAt, updated_at AS UpdatedAt";

    /// <summary>
    /// The course's lessons in order when <paramref name="userId"/> may see the course (<see cref="CourseAccess.VisibleSql"/>),
    /// in one statement. Empty when the course has no lessons, does not exist or is hidden: the caller tells those apart
    /// (<see cref="CourseAccess.VisibleAsync"/>) only then, so a course with lessons costs one statement, not two.
    /// </summary>
    public async Task<IReadOnlyList<Lesson>> ListVisibleAsync(long courseId, long? userId, CancellationToken cancellationToken)
    {
        await using var connection = await reads.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Lesson>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM lessons
            WHERE course_id = @courseId AND (SELECT {CourseAccess.VisibleSql("c", "@userId")} FROM courses c WHERE c.id = @courseId)
            ORDER BY position, id
            """, new { courseId, userId }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<Lesson?> FindAsync(long courseId, long lessonId, CancellationToken cancellationToken)
    {
        await using var connection = await reads.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Lesson>(new CommandDefinition(
            $"SELECT {Columns} FROM lessons WHERE course_id = @courseId AND id = @lessonId", new { courseId, lessonId },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Adds a lesson to <paramref name="ownerId"/>'s course at <paramref name="position"/>, or after the last one when it
    /// is null, within the owner's quota (else <see cref="QuotaExceededException"/>, nothing stored).
    /// </summary>
    public Task<Lesson> CreateAsync(long ownerId, long courseId, string title, string content, int? position, CancellationToken cancellationToken) =>
        dataSource.InTransactionAsync(async (connection, transaction) =>
        {
            await quota.ReserveLessonAsync(connection, transaction, ownerId, courseId, title, content, replacing: null, cancellationToken);
            return await connection.QuerySingleAsync<Lesson>(new CommandDefinition(
                $"""
                INSERT INTO lessons (course_id, position, title, content)
                VALUES (@courseId, COALESCE(@position, (SELECT COALESCE(max(position), 0) + 1 FROM lessons WHERE course_id = @courseId)), @title, @content)
                RETURNING {Columns}
                """, new { courseId, title, content, position }, transaction, cancellationToken: cancellationToken));
        }, cancellationToken);

    /// <summary>Replaces a lesson of <paramref name="ownerId"/>'s course within the owner's quota; null when it does not exist.</summary>
    public Task<Lesson?> UpdateAsync(long ownerId, long courseId, long lessonId, string title, string content, int? position,
        CancellationToken cancellationToken) =>
        dataSource.InTransactionAsync(async (connection, transaction) =>
        {
            await quota.ReserveLessonAsync(connection, transaction, ownerId, courseId, title, content, replacing: lessonId, cancellationToken);
            return await connection.QuerySingleOrDefaultAsync<Lesson>(new CommandDefinition(
                $"""
                UPDATE lessons SET title = @title, content = @content, position = COALESCE(@position, position), updated_at = now()
                WHERE course_id = @courseId AND id = @lessonId RETURNING {Columns}
                """, new { courseId, lessonId, title, content, position }, transaction, cancellationToken: cancellationToken));
        }, cancellationToken);

    public Task<int> DeleteAsync(long courseId, long lessonId, CancellationToken cancellationToken) =>
        dataSource.InTransactionAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM lessons WHERE course_id = @courseId AND id = @lessonId", new { courseId, lessonId }, transaction,
            cancellationToken: cancellationToken)), cancellationToken);
}
