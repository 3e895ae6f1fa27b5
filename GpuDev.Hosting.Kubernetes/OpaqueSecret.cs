using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// An Opaque Secret. One whose value may be left empty at publish time (the admin token) carries an
/// annotation that says so and how to fill it in, so an empty value is never mistaken for a forgotten one.
/// </summary>
public static class OpaqueSecret
{
    /// <summary>A Secret whose values are always present (given, kept or generated at publish time).</summary>
    public static V1Secret Create(ManifestContext context, string name, IDictionary<string, string> labels, IReadOnlyDictionary<string, string> data) =>
        Create(context, name, labels, data, valueMissing: false, default);

    public static V1Secret Create(
        ManifestContext context,
        string name,
        IDictionary<string, string> labels,
        IReadOnlyDictionary<string, string> data,
        bool valueMissing,
        KeyValuePair<string, string> missingValueNote)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new V1Secret
        {
            ApiVersion = V1Secret.KubeApiVersion,
            Kind = V1Secret.KubeKind,
            Metadata = context.Metadata(
                name,
                labels,
                valueMissing ? new SortedDictionary<string, string>(StringComparer.Ordinal) { [missingValueNote.Key] = missingValueNote.Value } : null),
            Type = "Opaque",
            StringData = new SortedDictionary<string, string>(data.ToDictionary(), StringComparer.Ordinal),
        };
    }

    /// <summary>An environment variable read from one key of a Secret, so the value itself lives in the Secret only.</summary>
    public static V1EnvVar EnvironmentVariable(string name, string secretName, string key) =>
        new()
        {
            Name = name,
            ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secretName, Key = key } },
        };
}
