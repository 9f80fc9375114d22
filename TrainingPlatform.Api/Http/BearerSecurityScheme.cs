using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace TrainingPlatform.Api.Http;

/// <summary>Declares the JWT bearer scheme in the OpenAPI document so the reference page can send tokens.</summary>
internal sealed class BearerSecurityScheme : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The access token from POST /api/v1/token.",
        };
        return Task.CompletedTask;
    }
}
