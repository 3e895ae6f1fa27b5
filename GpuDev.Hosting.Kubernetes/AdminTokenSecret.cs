using GpuDev.Database;
using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// The <c>api-admin-token</c> Secret and the <c>Admin__Token</c> variable the API reads it through.
/// Production logs users in through AWS; this deployment has the API's admin endpoints (creating users
/// and keys) instead, which answer only requests carrying the token.
/// </summary>
public static class AdminTokenSecret
{
    public const string SecretName = "api-admin-token";
    public const string TokenKey = "ADMIN_TOKEN";
    public const string EnvironmentVariable = SettingNames.AdminToken;
    public const int MinimumLength = 16;

    public static V1Secret Secret(ManifestContext context, DeploymentDescription deployment)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(deployment);
        return OpaqueSecret.Create(
            context,
            SecretName,
            KubernetesLabels.For(deployment.ResourceName, context.Instance, deployment.ResourceName),
            new Dictionary<string, string> { [TokenKey] = context.AdminToken },
            valueMissing: context.AdminToken.Length == 0,
            new("gpudev.dev/admin-token", "ADMIN_TOKEN is empty on purpose: the API refuses every admin request until it is filled in (see GpuDev.Hosting.Kubernetes/README.md)."));
    }

    /// <summary><c>Admin__Token</c> from the Secret, so the token itself lives in the Secret only.</summary>
    public static V1EnvVar Environment() => OpaqueSecret.EnvironmentVariable(EnvironmentVariable, SecretName, TokenKey);

    /// <summary>
    /// Rejects tokens that are easy to guess or that a copy-paste has padded. Absent means empty: the
    /// API then answers every admin request with a 401 saying no token is configured.
    /// </summary>
    public static string ValidateToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return string.Empty;
        }

        if (token.Trim().Length != token.Length)
        {
            throw new ArgumentException(
                "Kubernetes:AdminToken must not have leading or trailing whitespace, because the API compares the " +
                "X-Admin-Token header with it exactly. Use e.g. the output of `openssl rand -hex 32`.");
        }

        if (token.Length < MinimumLength)
        {
            throw new ArgumentException(
                $"Kubernetes:AdminToken is {token.Length} characters long; it must be at least {MinimumLength}, because it " +
                "grants creating users and API keys. Use e.g. the output of `openssl rand -hex 32`.");
        }

        return token;
    }
}
