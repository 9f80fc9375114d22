namespace TrainingPlatform.Api.Http;

/// <summary>One page of a list: <c>limit</c> 1..100 (default 20), <c>offset</c> ≥ 0 (default 0).</summary>
public readonly record struct Paging(int Limit, int Offset)
{
    public const int MaxLimit = 100;
    public const int DefaultLimit = 20;

    /// <summary>
    /// A paged list endpoint: the page <paramref name="read"/> gives for the <c>limit</c> and <c>offset</c> query
    /// parameters, or the 400 problem naming the bad one.
    /// </summary>
    public static async Task<Results<JsonOk<Page<T>>, ValidationProblem>> ListAsync<T>(int? limit, int? offset, Func<Paging, Task<Page<T>>> read) =>
        FieldErrors.TryValidate(errors => From(limit, offset, errors), out var paging, out var problem)
            ? JsonOk.Of(await read(paging))
            : problem;

    /// <summary>
    /// The list's total when a page read with this paging shows it: a page that is not full ends the list, unless it is
    /// empty past the start (the list may end before the offset). Null when only counting tells (a full page, or an
    /// empty one past the start), so the common short list costs one statement, not two.
    /// </summary>
    public long? TotalShownBy(int rows) => rows < Limit && (rows > 0 || Offset == 0) ? Offset + rows : null;

    private static Paging From(int? limit, int? offset, FieldErrors errors)
    {
        if (limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"Must be between 1 and {MaxLimit}.");
        }
        if (offset is < 0)
        {
            errors.Add("offset", "Must be zero or more.");
        }
        return new Paging(limit ?? DefaultLimit, offset ?? 0);
    }
}

public sealed record Page<T>(IReadOnlyList<T> Items, long Total, int Limit, int Offset);
