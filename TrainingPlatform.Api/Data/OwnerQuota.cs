namespace TrainingPlatform.Api.Data;

/// <summary>
/// What one owner may hold (uploads, courses and lessons), checked the one race-free way: inside the transaction that
/// writes, after taking the owner's advisory lock, so two writes at once cannot both fit into the last free room.
/// Over a limit the check throws <see cref="QuotaExceededException"/>, the transaction rolls back and nothing is stored.
/// </summary>
public static class OwnerQuota
{
    /// <summary>
    /// Waits for the owner's lock in <paramref name="lockSpace"/>, held until the transaction ends. The two-key form
    /// keeps each quota's key space apart from the others and from the one-key lock the schema migrator takes.
    /// </summary>
    public static Task LockOwnerAsync(this NpgsqlConnection connection, NpgsqlTransaction transaction, int lockSpace, long ownerId,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@lockSpace, hashint8(@ownerId))", new { lockSpace, ownerId }, transaction, cancellationToken: cancellationToken));

    /// <summary>A route whose writes count toward a quota: its refusal is the documented 409 problem naming the limit.</summary>
    public static RouteHandlerBuilder WithOwnerQuota(this RouteHandlerBuilder builder) =>
        builder
            .AddEndpointFilter(async (context, next) =>
            {
                try
                {
                    return await next(context);
                }
                catch (QuotaExceededException e)
                {
                    return e.ToProblem();
                }
            })
            .ProducesProblem(StatusCodes.Status409Conflict);
}

/// <summary>Thrown inside the writing transaction, so nothing of the write is committed.</summary>
/// <param name="title">The problem's title, e.g. "Upload quota exceeded".</param>
/// <param name="limit">The configuration key of the limit, e.g. <c>Uploads:MaxBytesPerOwner</c>: the problem's <c>limit</c>.</param>
public sealed class QuotaExceededException(string title, string limit, string detail) : Exception(detail)
{
    public string Limit { get; } = limit;

    public ProblemHttpResult ToProblem() => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title,
        detail: Message, extensions: new Dictionary<string, object?> { ["limit"] = Limit });
}
