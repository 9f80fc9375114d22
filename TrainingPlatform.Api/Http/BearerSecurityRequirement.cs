using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace TrainingPlatform.Api.Http;

/// <summary>
/// Declares on each operation the security its endpoint really enforces: the bearer scheme when the endpoint's
/// authorization metadata combine to a policy (as the authorization middleware combines them, fallback policy
/// included), nothing for anonymous ones. Derived from the metadata, so a new endpoint is described correctly
/// without a list to keep up to date.
/// </summary>
internal sealed class BearerSecurityRequirement(IAuthorizationPolicyProvider policies) : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return;
        }
        var policy = await AuthorizationPolicy.CombineAsync(policies, metadata.OfType<IAuthorizeData>(), metadata.OfType<AuthorizationPolicy>())
            ?? await policies.GetFallbackPolicyAsync();
        if (policy is null)
        {
            return;
        }
        operation.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerSecurityScheme.Name, context.Document)] = [] },
        ];
    }
}
