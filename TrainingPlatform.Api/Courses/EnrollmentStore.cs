namespace TrainingPlatform.Api.Courses;

public sealed class EnrollmentStore(NpgsqlDataSource dataSource, [FromKeyedServices(DatabaseServices.Reads)] NpgsqlDataSource reads)
{
    private const string Select = """
        SELECT e.id AS Id, e.course_id AS CourseId, c.title AS CourseTitle, e.enrolled_at AS EnrolledAt,
               (SELECT count(*) FROM lesson_completions lc WHERE lc.enrollment_id = e.id) AS CompletedLessons,
               (SELECT count(*) FROM lessons l WHERE l.course_id = e.course_id) AS TotalLessons
        FROM enrollments e JOIN courses c ON c.id = e.course_id
        """;

    /// <summary>Enrolls the user; null when already enrolled.</summary>
    public async Task<Enrollment?> EnrollAsync(long userId, long courseId, CancellationToken cancellationToken)
    {
        try
        {
            return await dataSource.InTransactionAsync(async (connection, transaction) =>
            {
                var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "INSERT INTO enrollments (user_id, course_id) VALUES (@userId, @courseId) RETURNING id",
                    new { userId, courseId }, transaction, cancellationToken: cancellationToken));
                return await connection.QuerySingleAsync<Enrollment>(new CommandDefinition(
                    $"{Select} WHERE e.id = @id", new { id }, transaction, cancellationToken: cancellationToken));
            }, cancellationToken);
        }
        catch (PostgresException e) when (e.IsUniqueViolation())
        {
            return null;
        }
    }

    public async Task<Enrollment?> FindAsync(long userId, long courseId, CancellationToken cancellationToken)
    {
        await using var connection = await reads.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Enrollment>(new CommandDefinition(
            $"{Select} WHERE e.user_id = @userId AND e.course_id = @courseId", new { userId, courseId }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The user's enrollments with their progress, most recent first; those in drafts are hidden (<see cref="CourseAccess"/>).
    /// Count and page in one round trip.
    /// </summary>
    public async Task<Page<Enrollment>> ListAsync(long userId, Paging paging, CancellationToken cancellationToken)
    {
        var mine = $"e.user_id = @userId AND {CourseAccess.VisibleSql("c", "@userId")}";
        await using var connection = await reads.OpenConnectionAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            $"""
            SELECT count(*) FROM enrollments e JOIN courses c ON c.id = e.course_id WHERE {mine};
            {Select} WHERE {mine} ORDER BY e.id DESC LIMIT @limit OFFSET @offset;
            """, new { userId, paging.Limit, paging.Offset }, cancellationToken: cancellationToken));
        var total = await results.ReadSingleAsync<long>();
        var items = await results.ReadAsync<Enrollment>();
        return new Page<Enrollment>(items.AsList(), total, paging.Limit, paging.Offset);
    }

    /// <summary>Marks the lesson complete for the enrollment (again is harmless) and returns the progress.</summary>
    public Task<Enrollment> CompleteAsync(long enrollmentId, long lessonId, CancellationToken cancellationToken) =>
        dataSource.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO lesson_completions (enrollment_id, lesson_id) VALUES (@enrollmentId, @lessonId) ON CONFLICT DO NOTHING",
                new { enrollmentId, lessonId }, transaction, cancellationToken: cancellationToken));
            return await connection.QuerySingleAsync<Enrollment>(new CommandDefinition(
                $"{Select} WHERE e.id = @enrollmentId", new { enrollmentId }, transaction, cancellationToken: cancellationToken));
        }, cancellationToken);
}
