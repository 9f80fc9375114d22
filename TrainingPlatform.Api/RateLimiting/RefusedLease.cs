using System.Threading.RateLimiting;

namespace TrainingPlatform.Api.RateLimiting;

/// <summary>A refusal carrying <see cref="MetadataName.RetryAfter"/>, the remaining time the 429 answer's <c>Retry-After</c> says.</summary>
internal sealed class RefusedLease(TimeSpan retryAfter) : RateLimitLease
{
    public override bool IsAcquired => false;
    public override IEnumerable<string> MetadataNames => [MetadataName.RetryAfter.Name];

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
        return metadata is not null;
    }
}
