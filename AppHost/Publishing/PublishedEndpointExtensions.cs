using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

public static class PublishedEndpointExtensions
{
    /// <summary>
    /// Published, a project gets an <c>https</c> binding by default, but the API listens on HTTP only (TLS ends
    /// at the cluster's ingress or load balancer, as in production), so a deployment from the manifest would
    /// route to a port nothing listens on. Run mode is unchanged.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithoutHttpsWhenPublished(this IResourceBuilder<ProjectResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            foreach (var endpoint in builder.Resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.UriScheme == "https").ToList())
            {
                builder.Resource.Annotations.Remove(endpoint);
            }
        }

        return builder;
    }
}
