namespace TrainingPlatform.Api.Http;

/// <summary>Who may call an endpoint, with the refusals it documents.</summary>
public static class EndpointAccess
{
    /// <summary>Signed in (and, given <paramref name="policies"/>, allowed by them), or 401.</summary>
    public static TBuilder RequireSignIn<TBuilder>(this TBuilder builder, params string[] policies)
        where TBuilder : IEndpointConventionBuilder =>
        builder
            .RequireAuthorization(policies)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

    /// <summary>
    /// Signed in, and the course must be the caller's (for its materials, the caller's or one they are enrolled in):
    /// 401, 403 and 404 as documented responses.
    /// </summary>
    public static TBuilder RequireOwnership<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder
            .RequireSignIn()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
}
