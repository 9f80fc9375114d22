namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// Marks a request a service sends through its own pipeline, in process, before it listens (the API's warm-up): the
/// audit runs its code for it but writes no access line, counts no metric and reports no security event, so a warm-up
/// leaves no trace an operator or an alert would read as traffic.
/// </summary>
public sealed class WarmUpRequest
{
    public static readonly WarmUpRequest Instance = new();

    private WarmUpRequest()
    {
    }

    internal static bool Is(HttpContext context) => context.Features.Get<WarmUpRequest>() is not null;
}
