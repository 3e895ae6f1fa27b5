namespace GpuDev.Hosting.Kubernetes;

/// <summary>Kubernetes' recommended <c>app.kubernetes.io/*</c> labels for every object the AppHost publishes.</summary>
public static class KubernetesLabels
{
    public const string Name = "app.kubernetes.io/name";
    public const string Instance = "app.kubernetes.io/instance";
    public const string Component = "app.kubernetes.io/component";
    public const string PartOf = "app.kubernetes.io/part-of";
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string Version = "app.kubernetes.io/version";

    public const string PartOfValue = "gpu-dev";
    public const string ManagedByValue = "gpudev-apphost";

    /// <summary>The labels a selector matches on: stable across versions, since a selector cannot change.</summary>
    public static SortedDictionary<string, string> Selector(string name, string instance) =>
        new(StringComparer.Ordinal) { [Name] = name, [Instance] = instance };

    /// <summary>The full set; <paramref name="version"/> is left out when it is not a valid label value.</summary>
    public static SortedDictionary<string, string> For(string name, string instance, string component, string? version = null)
    {
        var labels = Selector(name, instance);
        labels[Component] = component;
        labels[PartOf] = PartOfValue;
        labels[ManagedBy] = ManagedByValue;
        if (version is { Length: > 0 } && KubernetesNames.IsLabelValue(version))
        {
            labels[Version] = version;
        }

        return labels;
    }

    /// <summary>The tag of <c>registry/repository:tag</c> (<c>latest</c> when none is given); a digest counts as no tag.</summary>
    public static string? ImageTag(string image)
    {
        var withoutDigest = image.Split('@')[0];
        var lastSlash = withoutDigest.LastIndexOf('/');
        var colon = withoutDigest.LastIndexOf(':');
        return colon > lastSlash ? withoutDigest[(colon + 1)..] : image.Contains('@', StringComparison.Ordinal) ? null : "latest";
    }
}
