using k8s;
using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>One Kubernetes object and the file it is written to.</summary>
public sealed record KubernetesManifest(string FileName, IKubernetesObject<V1ObjectMeta> Resource)
{
    public static KubernetesManifest Create(int order, IKubernetesObject<V1ObjectMeta> kubernetesObject) =>
        new($"{order:D2}-{kubernetesObject.Kind.ToLowerInvariant()}-{kubernetesObject.Metadata.Name}.yaml", kubernetesObject);
}
