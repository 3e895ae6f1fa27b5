using System.Text.Json;
using System.Text.Json.Serialization;

namespace GpuDev.Api.InputHygiene;

/// <summary>
/// Reads every JSON string of a request body, object keys included (<c>env_vars</c> names), and refuses one
/// PostgreSQL cannot store (<see cref="StorableText"/>) while the body is being read, before any SQL runs.
/// </summary>
public sealed class StorableTextConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Checked(ref reader);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Checked(ref reader)!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(value);
    }

    private static string? Checked(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            // A number or object where text belongs: the serializer's own "wrong type" error.
            return reader.GetString();
        }

        string? value;
        try
        {
            value = reader.GetString();
        }
        catch (InvalidOperationException)
        {
            // The reader refuses a string escape that is no Unicode text (an unpaired surrogate such as \ud800).
            throw new UnstorableTextException(@"an unpaired UTF-16 surrogate escape (such as \ud800)");
        }

        return value is not null && StorableText.Problem(value) is { } problem ? throw new UnstorableTextException(problem) : value;
    }
}
