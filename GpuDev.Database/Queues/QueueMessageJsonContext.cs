using System.Text.Json.Serialization;

namespace GpuDev.Database.Queues;

/// <summary>
/// The queue contract's records, with their JSON contracts generated at compile time: the API is published as
/// Native AOT, where serialisers cannot be built by reflection at run time.
/// </summary>
[JsonSerializable(typeof(CreateReservationMessage))]
[JsonSerializable(typeof(ReservationActionMessage))]
[JsonSerializable(typeof(DiskOperationMessage))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
public sealed partial class QueueMessageJsonContext : JsonSerializerContext;
