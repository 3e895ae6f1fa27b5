using System.Text.Json.Nodes;
using k8s;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// YAML that kubectl reads back exactly: the object goes through KubernetesClient's JSON (the API's own
/// field names and formats), and every scalar gets its style here rather than from a serializer's
/// guess. A string a YAML 1.1 or 1.2 reader could take for a number, boolean, null or timestamp
/// (<c>0x1A</c>, <c>+1</c>, <c>0o17</c>, <c>.inf</c>, <c>1_000</c>, <c>12:30</c>, <c>yes</c>) is quoted;
/// multi-line text is a literal block only where kubectl's parser (go-yaml) accepts one.
/// </summary>
public static class KubectlYaml
{
    private static readonly string[] ImplicitWords =
    [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "<<", "=",
    ];

    public static string Serialize(object kubernetesObject)
    {
        ArgumentNullException.ThrowIfNull(kubernetesObject);
        var node = JsonNode.Parse(KubernetesJson.Serialize(kubernetesObject));
        var text = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(text, new EmitterSettings(bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false, maxSimpleKeyLength: 1024, newLine: "\n"));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    /// <summary>
    /// True when <paramref name="text"/> can be written as YAML text that kubectl reads back unchanged:
    /// no control characters other than TAB and line feed (no CR, form feed or BEL), no byte-order mark or
    /// Unicode line separators (YAML readers fold them), and, for several lines, a first line that starts
    /// with neither a space nor a TAB (go-yaml rejects a literal block whose first line starts with a TAB).
    /// </summary>
    public static bool IsKubectlSafeText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            if ((c < 0x20 && c is not '\t' and not '\n') || (c >= 0x7F && c <= 0x9F) || c is '\uFEFF' or '\u2028' or '\u2029')
            {
                return false;
            }
        }

        return !text.Contains('\n', StringComparison.Ordinal) || (text.Length > 0 && text[0] is not ' ' and not '\t' and not '\n');
    }

    /// <summary>True when a plain (unquoted) <paramref name="value"/> could be read by a YAML 1.1 or 1.2 reader as something other than this string.</summary>
    public static bool NeedsQuotes(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0 || value.Trim().Length != value.Length || ImplicitWords.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        // Numbers of every YAML version and notation (0x1A, 0o17, 0b1, +1, 1_000, 12:30, 1e3, .5),
        // .inf/.nan and timestamps all start with a digit or a dot, possibly after a sign.
        var start = value[0] is '+' or '-' && value.Length > 1 ? value[1] : value[0];
        return char.IsAsciiDigit(start) || start == '.';
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, map.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in map)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray list:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, list.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in list)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String:
                EmitString(emitter, value.GetValue<string>());
                break;
            case null:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            default:
                // Numbers and booleans, written as JSON writes them.
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, node.ToJsonString(), ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
        }
    }

    private static void EmitString(IEmitter emitter, string value)
    {
        var style = value.Contains('\n', StringComparison.Ordinal) && IsKubectlSafeText(value) ? ScalarStyle.Literal
            : NeedsQuotes(value) || !IsKubectlSafeText(value) ? ScalarStyle.DoubleQuoted
            : ScalarStyle.Any;
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, style, isPlainImplicit: style == ScalarStyle.Any, isQuotedImplicit: true));
    }
}
