using GpuDev.Api.Authentication;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.Hosting;

public static class OpenApiExtensions
{
    /// <summary>The OpenAPI document at /openapi/v1.json, describing both ways to authenticate.</summary>
    public static IServiceCollection AddOpenApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "GPU Dev API";
            document.Info.Description = "The GPU Dev control plane: jobs (GPU reservations), disks, API keys. Wire-compatible with production.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key: Authorization: Bearer <api_key>.",
            };
            document.Components.SecuritySchemes[AdminTokenAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = AdminTokenAuthenticationHandler.HeaderName,
                Description = "The AppHost's admin-token parameter.",
            };
            return Task.CompletedTask;
        }));

    /// <summary>The document and the Scalar reference page (/scalar), in Development only.</summary>
    public static WebApplication MapOpenApiDocument(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.MapOpenApi();
            app.MapScalarApiReference();
        }

        return app;
    }
}
