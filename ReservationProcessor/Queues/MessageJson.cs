using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GpuDev.Database.Queues;

namespace GpuDev.ReservationProcessor.Queues;

/// <summary>How the processor reads queue messages: the shared wire contract's serializer settings, and a body
/// that does not fit the expected record turned into a poison message.</summary>
public static class MessageJson
{
    // The shared contract's records plus the fields only the consumer reads (MultinodeFields).
    private static readonly JsonSerializerOptions Options = new(QueueMessageJson.Options)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(QueueMessageJson.Options.TypeInfoResolver, ConsumerMessageJsonContext.Default),
    };

    /// <summary>Deserialises <paramref name="body"/>; a body that does not fit <typeparamref name="T"/> is a poison message.</summary>
    public static T Read<T>(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)))
                ?? throw new PoisonMessageException($"The message is JSON null, not a {typeof(T).Name}.");
        }
        catch (JsonException ex)
        {
            throw new PoisonMessageException($"The message does not have the shape of a {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}
