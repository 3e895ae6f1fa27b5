using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GpuDev.ReservationProcessor.Queues;

/// <summary>How the processor reads queue messages: the records' explicit names, timestamps in any ISO 8601
/// form producers write (<c>…Z</c>, <c>+00:00</c>, or Python's offset-less <c>isoformat()</c>, read as UTC).</summary>
public static class MessageJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        Converters = { new UtcDefaultDateTimeOffsetConverter() },
    };

    /// <summary>Deserialises <paramref name="body"/>; a body that does not fit <typeparamref name="T"/> is a poison message.</summary>
    public static T Read<T>(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, Options) ?? throw new PoisonMessageException($"The message is JSON null, not a {typeof(T).Name}.");
        }
        catch (JsonException ex)
        {
            throw new PoisonMessageException($"The message does not have the shape of a {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    private sealed class UtcDefaultDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            {
                return value;
            }

            throw new JsonException($"'{text}' is not an ISO 8601 timestamp.");
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture));
    }
}
