using System.Text.Json;
using System.Text.Json.Serialization;

namespace GpuDev.Database.Json;

/// <summary>Writes a timestamp as Python's <c>isoformat()</c> (<c>+00:00</c>); reads any ISO 8601 timestamp.</summary>
public sealed class IsoFormatTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(PythonTimestamp.IsoFormat(value));
}

/// <summary>Writes a timestamp as pydantic serialises a UTC <c>datetime</c> field (<c>Z</c>); reads any ISO 8601 timestamp.</summary>
public sealed class PydanticTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(PythonTimestamp.Pydantic(value));
}

/// <summary>
/// Writes a double as Python's <c>float</c> prints it: a whole number keeps its <c>.0</c> (<c>4.0</c>, not <c>4</c>),
/// where production's model declares a float.
/// </summary>
public sealed class PythonFloatConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value) && value == Math.Floor(value) && Math.Abs(value) < 1e16)
        {
            writer.WriteRawValue(value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), skipInputValidation: true);
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }
}

/// <summary><see cref="IsoFormatTimestampConverter"/> for <see cref="DateTime"/> values read from PostgreSQL (UTC).</summary>
public sealed class IsoFormatDateTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().UtcDateTime;

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(PythonTimestamp.IsoFormat(AsUtc(value)));

    internal static DateTimeOffset AsUtc(DateTime value) =>
        new(value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc));
}

/// <summary><see cref="PydanticTimestampConverter"/> for <see cref="DateTime"/> values (UTC).</summary>
public sealed class PydanticDateTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().UtcDateTime;

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(PythonTimestamp.Pydantic(IsoFormatDateTimeConverter.AsUtc(value)));
}
