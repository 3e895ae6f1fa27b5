using System.Text.Json;
using GpuDev.Database.Queues;

namespace GpuDev.ReservationProcessor.Queues;

/// <summary>How the processor reads queue messages: the shared wire contract's serializer settings, and a body
/// that does not fit the expected record turned into a poison message.</summary>
public static class MessageJson
{
    /// <summary>Deserialises <paramref name="body"/>; a body that does not fit <typeparamref name="T"/> is a poison message.</summary>
    public static T Read<T>(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, QueueMessageJson.Options) ?? throw new PoisonMessageException($"The message is JSON null, not a {typeof(T).Name}.");
        }
        catch (JsonException ex)
        {
            throw new PoisonMessageException($"The message does not have the shape of a {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}
