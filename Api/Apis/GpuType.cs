using System.Text.Json.Serialization;

namespace GpuDev.Api.Apis;

/// <summary>A row of gpu_types, with production's snake_case field names.</summary>
public sealed record GpuType
{
    [JsonPropertyName("gpu_type")] public required string GpuTypeName { get; init; }
    [JsonPropertyName("instance_type")] public required string InstanceType { get; init; }
    [JsonPropertyName("max_gpus")] public int MaxGpus { get; init; }
    [JsonPropertyName("cpus")] public int Cpus { get; init; }
    [JsonPropertyName("memory_gb")] public int MemoryGb { get; init; }
    [JsonPropertyName("total_cluster_gpus")] public int? TotalClusterGpus { get; init; }
    [JsonPropertyName("max_per_node")] public int? MaxPerNode { get; init; }
    [JsonPropertyName("is_active")] public bool? IsActive { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
}

public sealed record GpuTypeList(
    [property: JsonPropertyName("gpu_types")] IReadOnlyList<GpuType> GpuTypes,
    [property: JsonPropertyName("total")] int Total);
