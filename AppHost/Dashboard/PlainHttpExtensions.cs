using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

public static class PlainHttpExtensions
{
    /// <summary>
    /// In the plain-HTTP launch profile (<c>ASPIRE_ALLOW_UNSECURED_TRANSPORT=true</c>: dashboard, OTLP and every
    /// service on http) no resource terminates TLS, so none gets Aspire's automatic development-certificate
    /// configuration either. Aspire checks for a trusted development certificate when any resource has it, and
    /// without one shows an error banner on every dashboard page ("No trusted development certificate"), about a
    /// certificate nothing here uses. The <c>https</c> profile keeps the certificate and the check.
    /// </summary>
    public static IDistributedApplicationBuilder WithoutTlsInPlainHttpProfile(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode || !builder.Configuration.GetValue("ASPIRE_ALLOW_UNSECURED_TRANSPORT", false))
        {
            return builder;
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
#pragma warning disable ASPIRECERTIFICATES001 // Aspire's own opt-out for its (evaluation-stage) certificate configuration.
            foreach (var resource in @event.Model.Resources.Where(r => r.HasAnnotationOfType<HttpsCertificateConfigurationCallbackAnnotation>()).ToList())
            {
                // WithoutHttpsCertificate needs a resource with environment and arguments: the three kinds that have both.
                if (resource is ProjectResource project)
                {
                    builder.CreateResourceBuilder(project).WithoutHttpsCertificate();
                }
                else if (resource is ContainerResource container)
                {
                    builder.CreateResourceBuilder(container).WithoutHttpsCertificate();
                }
                else if (resource is ExecutableResource executable)
                {
                    builder.CreateResourceBuilder(executable).WithoutHttpsCertificate();
                }
            }
#pragma warning restore ASPIRECERTIFICATES001

            return Task.CompletedTask;
        });
        return builder;
    }
}
