using System.Security.Cryptography;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>Strong secret values for what the operator did not supply: 256 random bits as lowercase hex (safe in a connection string).</summary>
public static class GeneratedSecret
{
    public static string Password() => RandomNumberGenerator.GetHexString(64, lowercase: true);
}
