using Dapper;
using Npgsql;

namespace GpuDev.ReservationProcessor.Cluster;

/// <summary>A GPU type's simulated nodes, from its gpu_types row.</summary>
public sealed record GpuTypeCapacity(string GpuType, int TotalClusterGpus, int MaxPerNode)
{
    /// <summary>GPUs per simulated node: the type's max_per_node, or its whole capacity on one node when unset.</summary>
    public IReadOnlyList<int> Nodes
    {
        get
        {
            if (TotalClusterGpus <= 0)
            {
                return [];
            }

            var perNode = MaxPerNode > 0 ? MaxPerNode : TotalClusterGpus;
            var nodes = new List<int>();
            for (var remaining = TotalClusterGpus; remaining > 0; remaining -= perNode)
            {
                nodes.Add(Math.Min(perNode, remaining));
            }

            return nodes;
        }
    }

    public static async Task<IReadOnlyDictionary<string, GpuTypeCapacity>> ActiveAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<GpuTypeCapacity>(new CommandDefinition(
            """
            SELECT gpu_type AS GpuType, coalesce(total_cluster_gpus, 0) AS TotalClusterGpus, coalesce(max_per_node, 0) AS MaxPerNode
            FROM gpu_types WHERE is_active ORDER BY gpu_type
            """,
            transaction: transaction, cancellationToken: cancellationToken)))
        .ToDictionary(t => t.GpuType, StringComparer.Ordinal);
}
