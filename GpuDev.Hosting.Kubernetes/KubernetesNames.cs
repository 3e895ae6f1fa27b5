using System.Text.RegularExpressions;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>Kubernetes' naming rules, checked before anything is written.</summary>
public static partial class KubernetesNames
{
    /// <summary>
    /// A DNS-1123 label (Namespaces and Services need this stricter form): at most 63 lowercase
    /// alphanumerics or '-', starting and ending alphanumeric.
    /// </summary>
    public static bool IsDns1123Label(string value) => value.Length <= 63 && Dns1123Label().IsMatch(value);

    /// <summary>A label value: at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending alphanumeric (or empty).</summary>
    public static bool IsLabelValue(string value) => value.Length <= 63 && LabelValue().IsMatch(value);

    /// <summary>A ConfigMap key: file names such as <c>001_users_and_keys.sql</c> qualify.</summary>
    public static bool IsConfigMapKey(string value) => value.Length <= 253 && ConfigMapKey().IsMatch(value);

    public static string RequireDns1123Label(string value, string what) =>
        IsDns1123Label(value)
            ? value
            : throw new ArgumentException(
                $"{what} '{value}' is not a valid Kubernetes name (DNS-1123 label: at most 63 lowercase letters, digits or '-', " +
                "starting and ending with a letter or digit).");

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex(@"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex(@"^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigMapKey();
}
