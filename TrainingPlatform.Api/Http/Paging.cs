namespace TrainingPlatform.Api.Http;

/// <summary>One page of a list: <c>limit</c> 1..100 (default 20), <c>offset</c> ≥ 0 (default 0).</summary>
public readonly record struct Paging(int Limit, int Offset)
{
    public const int MaxLimit = 100;
    public const int DefaultLimit = 20;

    public static Paging From(int? limit, int? offset, FieldErrors errors)
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
