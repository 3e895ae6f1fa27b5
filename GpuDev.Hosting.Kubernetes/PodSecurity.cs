using System.Globalization;
using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// Every pod and container runs as a non-root user with a read-only root filesystem, no privilege
/// escalation, no capabilities and the runtime's default seccomp profile. Both images allow it: the .NET
/// images run as their <c>app</c> user, PostgreSQL's entrypoint runs as <c>postgres</c> when started as it,
/// and the few paths they write are volumes (<see cref="TempVolume"/>, the data claim, the socket directory).
/// </summary>
public static class PodSecurity
{
    /// <summary>The <c>app</c> user of Microsoft's .NET images (<c>APP_UID</c>), the projects' <c>ContainerUser</c>.</summary>
    public const long DotNetUser = 1654;

    /// <summary>The <c>postgres</c> user and group of the official (Debian-based) PostgreSQL images, which PGMQ's image extends.</summary>
    public const long PostgresUser = 999;

    public const string TempVolumeName = "tmp";

    public static V1PodSecurityContext Pod(long? fsGroup = null) => new()
    {
        RunAsNonRoot = true,
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
        FsGroup = fsGroup,
        // Only a new (or foreign) volume is re-owned; a large data volume is not walked at every start.
        FsGroupChangePolicy = fsGroup is null ? null : "OnRootMismatch",
    };

    public static V1SecurityContext Container(long user) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = user,
        RunAsGroup = user,
        ReadOnlyRootFilesystem = true,
        AllowPrivilegeEscalation = false,
        Privileged = false,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    /// <summary>The user of a project's image: its numeric <c>ContainerUser</c>, else .NET's <c>app</c> user.</summary>
    public static long UserOf(GpuDevDeploymentModel model, string resourceName) =>
        model?.ProjectImages.TryGetValue(resourceName, out var settings) == true && long.TryParse(settings.User, NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            ? user
            : DotNetUser;

    /// <summary>A writable <c>/tmp</c> under a read-only root filesystem.</summary>
    public static V1Volume TempVolume() => new() { Name = TempVolumeName, EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("64Mi") } };

    public static V1VolumeMount TempMount() => new() { Name = TempVolumeName, MountPath = "/tmp" };
}
