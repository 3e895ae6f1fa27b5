using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

public static class ApiPortExtensions
{
    /// <summary>
    /// The fixed port of the resource's <c>http</c> endpoint (from its launch profile) when another process already
    /// listens on it; null when it is free, or when ports are randomised (tests) and no fixed port is used.
    /// </summary>
    public static int? HttpPortTakenByAnotherProcess(this IResourceBuilder<ProjectResource> project, IConfiguration configuration)
    {
        if (configuration.GetValue("DcpPublisher:RandomizePorts", false))
        {
            return null;
        }

        var port = project.Resource.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.Name == "http")?.Port;
        if (port is not { } fixedPort)
        {
            return null;
        }

        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, fixedPort);
            listener.Start();
            return null;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return fixedPort;
        }
    }
}
