namespace Aspire.Hosting;

public static class ApiReferenceUrlExtensions
{
    /// <summary>The path of the API's interactive documentation (Scalar over its OpenAPI document; Development only).</summary>
    public const string ApiReferencePath = "/scalar";

    /// <summary>A link to the API's interactive documentation beside its endpoint in the dashboard's resource list.</summary>
    public static IResourceBuilder<ProjectResource> WithApiReferenceUrl(this IResourceBuilder<ProjectResource> api, string endpointName = "http") =>
        api.WithUrlForEndpoint(endpointName, _ => new ResourceUrlAnnotation { Url = ApiReferencePath, DisplayText = "API reference (Scalar)" });
}
