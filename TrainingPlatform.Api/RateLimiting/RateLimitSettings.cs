using System.Threading.RateLimiting;

namespace TrainingPlatform.Api.RateLimiting;

/// <summary>
/// The numbers behind every limit, from configuration section <c>RateLimits</c> (per window of
/// <c>WindowSeconds</c>): <c>PermitLimit</c> per client address on each credential route family,
/// <c>RefreshPermitLimit</c> per client address on token refresh, <c>AccountPermitLimit</c> per account and client
/// address, <c>AccountBrakeLimit</c> failed sign-ins per account from all addresses together (over
/// <c>AccountBrakeWindowSeconds</c>), <c>AccountResetLimit</c> password-reset requests per account from all
/// addresses (over the same window), <c>UploadPermitLimit</c> uploads per signed-in user, <c>WritePermitLimit</c>
/// course, lesson and enrollment writes per signed-in user (over <c>WriteWindowSeconds</c>).
/// </summary>
public sealed class RateLimitSettings
{
    public const string Section = "RateLimits";

    public int PermitLimit { get; set; } = 10;
    public int RefreshPermitLimit { get; set; } = 60;
    public int AccountPermitLimit { get; set; } = 5;
    public int AccountBrakeLimit { get; set; } = 50;
    public int AccountBrakeWindowSeconds { get; set; } = 900;
    public int AccountResetLimit { get; set; } = 5;
    public int UploadPermitLimit { get; set; } = 30;
    public int WritePermitLimit { get; set; } = 120;
    public int WriteWindowSeconds { get; set; } = 60;
    public int WindowSeconds { get; set; } = 60;

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);
    public TimeSpan AccountBrakeWindow => TimeSpan.FromSeconds(AccountBrakeWindowSeconds);
    public TimeSpan WriteWindow => TimeSpan.FromSeconds(WriteWindowSeconds);

    internal static FixedWindowRateLimiterOptions InMemory(int permits, TimeSpan window) => new()
    {
        PermitLimit = permits,
        Window = window,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
