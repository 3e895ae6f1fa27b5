using System.Globalization;

namespace GpuDev.ReservationProcessor.Cluster;

/// <summary>
/// What an active reservation points at in the simulated cluster. Nothing is reachable through it: the address is
/// the loopback address, so a copied ssh or Jupyter command fails at once with "connection refused" on the user's
/// own machine, instead of hanging on (or reaching) some other host as a routable or TEST-NET address would.
/// Ports come from Kubernetes' NodePort range, like production's.
/// </summary>
public static class LocalStandIns
{
    public const string NodeIp = "127.0.0.1";

    /// <summary>Production's pod namespace.</summary>
    public const string Namespace = "gpu-dev";

    public const int FirstNodePort = 30000;

    public const int LastNodePort = 32767;

    /// <summary>Production's form for a NodePort reservation (the CLI's <c>reserve</c> waits for a command that starts with "ssh ").</summary>
    public static string SshCommand(int nodePort) => string.Create(CultureInfo.InvariantCulture, $"ssh -p {nodePort} dev@{NodeIp}");

    public static string JupyterUrl(int port, string token) => string.Create(CultureInfo.InvariantCulture, $"http://{NodeIp}:{port}?token={token}");

    /// <summary>The pod name production derives when the request names none.</summary>
    public static string DefaultPodName(string reservationId) => $"gpu-dev-{reservationId[..Math.Min(8, reservationId.Length)]}";
}
