namespace TrainingPlatform.Api.RateLimiting;

/// <summary>A request that names an account by email, so the per-account rate limit can partition by it.</summary>
public interface IAccountRequest
{
    string? Email { get; }
}
