using System.Text.Json.Serialization;
using GpuDev.ReservationProcessor.Reservations;

namespace GpuDev.ReservationProcessor.Queues;

/// <summary>The consumer-side records' JSON contracts, generated at compile time like the shared contract's.</summary>
[JsonSerializable(typeof(MultinodeFields))]
internal sealed partial class ConsumerMessageJsonContext : JsonSerializerContext;
