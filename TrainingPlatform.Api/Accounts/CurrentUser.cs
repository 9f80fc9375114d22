using TrainingPlatform.Api.Sessions;

namespace TrainingPlatform.Api.Accounts;

public static class CurrentUser
{
    /// <summary>The signed-in user's id (the access token's <c>sub</c>), or null for an anonymous caller.</summary>
    public static long? IdOrNull(this ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(AccessTokens.SubjectClaim), out var id) ? id : null;

    /// <summary>The signed-in user's id; only for endpoints that require authorization.</summary>
    public static long Id(this ClaimsPrincipal principal) =>
        principal.IdOrNull() ?? throw new InvalidOperationException("The endpoint requires an authenticated user.");
}
