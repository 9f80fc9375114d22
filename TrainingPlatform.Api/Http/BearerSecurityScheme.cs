using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace TrainingPlatform.Api.Http;

/// <summary>
/// Declares the JWT bearer scheme in the OpenAPI document so the reference page can send tokens; which operations
/// require it is declared by <see cref="BearerSecurityRequirement"/>.
/// </summary>
internal sealed class BearerSecurityScheme : IOpenApiDocumentTransformer
{
    public const string Name = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Name] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The access token from POST /api/v1/token.",
        };
        return Task.CompletedTask;
    }
}
