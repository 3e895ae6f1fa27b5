using GpuDev.Database;
using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// The <c>api-admin-token</c> Secret and the <c>Admin__Token</c> variable the API reads it through.
/// Production logs users in through AWS; this deployment has the API's admin endpoints (creating users
/// and keys) instead, mapped only when the token is set and answering only requests carrying it.
/// </summary>
public static class AdminTokenSecret
{
    public const string SecretName = "api-admin-token";
    public const string TokenKey = "ADMIN_TOKEN";
    public const string EnvironmentVariable = SettingNames.AdminToken;
    public const int MinimumLength = AdminTokenRules.MinimumLength;

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
            new("gpudev.dev/admin-token", "ADMIN_TOKEN is empty on purpose: the API maps no admin routes until it is filled in with at least 32 characters (see GpuDev.Hosting.Kubernetes/README.md)."));
    }

    /// <summary><c>Admin__Token</c> from the Secret, so the token itself lives in the Secret only.</summary>
    public static V1EnvVar Environment() => OpaqueSecret.EnvironmentVariable(EnvironmentVariable, SecretName, TokenKey);

    /// <summary>
    /// Rejects tokens the API would refuse at start (<see cref="AdminTokenRules"/>: too short, or padded by a
    /// copy-paste). Absent means empty: the API then maps no admin routes.
    /// </summary>
    public static string ValidateToken(string? token) =>
        AdminTokenRules.Problem(token, "Kubernetes:AdminToken") is { } problem
            ? throw new ArgumentException(problem)
            : token ?? string.Empty;
}
