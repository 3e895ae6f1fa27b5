using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace GpuDev.Database.Queues;

/// <summary>
/// The one serializer setting for queue messages, for writers and readers alike. Field names and value
/// formats live on the records; this adds the rules a property cannot state alone.
/// </summary>
public static class QueueMessageJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        TypeInfoResolver = QueueMessageJsonContext.Default.WithAddedModifier(SizeOnlyOnCreateDisk),
    };

    public static string Serialize<TMessage>(TMessage message) => JsonSerializer.Serialize(message, TypeInfo<TMessage>());

    public static TMessage? Deserialize<TMessage>(string json) => JsonSerializer.Deserialize(json, TypeInfo<TMessage>());

    /// <summary>
    /// The contract of a queue record (<see cref="QueueMessageJsonContext"/>); a type outside the contract is a
    /// programming error, reported as such rather than serialised by reflection.
    /// </summary>
    public static JsonTypeInfo<TMessage> TypeInfo<TMessage>() => (JsonTypeInfo<TMessage>)Options.GetTypeInfo(typeof(TMessage));

    // Production writes size_gb on create_disk even when null, and never on delete_disk.
    private static void SizeOnlyOnCreateDisk(JsonTypeInfo type)
    {
        if (type.Type != typeof(DiskOperationMessage))
        {
            return;
        }

        var size = type.Properties.Single(p => p.Name == "size_gb");
        size.ShouldSerialize = (message, _) => ((DiskOperationMessage)message).Action == DiskActions.CreateDisk;
    }
}
