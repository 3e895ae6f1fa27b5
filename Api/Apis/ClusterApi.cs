using GpuDev.Api.Authentication;
using GpuDev.Api.Infrastructure;
using GpuDev.Api.Models.Cluster;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace GpuDev.Api.Apis;

/// <summary>Capacity per GPU type and for the whole cluster, computed from gpu_types and reservations.</summary>
public static class ClusterApi
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").WithTags("Cluster").RequireAuthorization(AuthorizationPolicies.ApiKey);
        api.MapGet("/gpu/availability", GetAvailabilityAsync).WithName("GetGpuAvailability").WithSummary("Per active GPU type: total, in_use, queued, available.");
        api.MapGet("/cluster/status", GetClusterStatusAsync).WithName("GetClusterStatus").WithSummary("GPU and reservation totals for the cluster.");
        return app;
    }

    public static async Task<Ok<GpuAvailabilityResponse>> GetAvailabilityAsync(NpgsqlDataSource dataSource, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return TypedResults.Ok(new GpuAvailabilityResponse(await AvailabilityAsync(connection, cancellationToken), clock.GetUtcNow().UtcDateTime));
    }

    public static async Task<Ok<ClusterStatusResponse>> GetClusterStatusAsync(NpgsqlDataSource dataSource, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var byType = await AvailabilityAsync(connection, cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FILTER (WHERE status = 'active') AS active, count(*) FILTER (WHERE status = 'preparing') AS preparing,
                   count(*) FILTER (WHERE status = 'queued') AS queued, count(*) FILTER (WHERE status = 'pending') AS pending,
                   coalesce(sum(gpu_count) FILTER (WHERE status IN ('active', 'preparing') AND gpu_type IS NOT NULL), 0) AS inusegpus,
                   coalesce(sum(gpu_count) FILTER (WHERE status IN ('queued', 'pending') AND gpu_type IS NOT NULL), 0) AS queuedgpus
            FROM reservations WHERE status IN ('active', 'preparing', 'queued', 'pending')
            """,
            connection);
        var counts = await command.QuerySingleAsync(ClusterCounts.Read, cancellationToken);
        // As production: cluster totals count every live reservation, also of types no longer in gpu_types.
        var totalGpus = byType.Values.Sum(t => t.Total);
        return TypedResults.Ok(new ClusterStatusResponse
        {
            TotalGpus = totalGpus,
            AvailableGpus = Math.Max(0, totalGpus - counts.InUseGpus),
            InUseGpus = counts.InUseGpus,
            QueuedGpus = counts.QueuedGpus,
            ActiveReservations = counts.Active,
            PreparingReservations = counts.Preparing,
            QueuedReservations = counts.Queued,
            PendingReservations = counts.Pending,
            ByGpuType = byType,
            Timestamp = clock.GetUtcNow().UtcDateTime,
        });
    }

    private static async Task<IReadOnlyDictionary<string, GpuAvailability>> AvailabilityAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT g.gpu_type,
                   coalesce(g.total_cluster_gpus, 0)::bigint AS total,
                   greatest(coalesce(g.total_cluster_gpus, 0) - coalesce(r.in_use, 0), 0)::bigint AS available,
                   coalesce(r.in_use, 0)::bigint AS in_use,
                   coalesce(r.queued, 0)::bigint AS queued,
                   coalesce(g.max_per_node, 0) AS max_per_node
            FROM gpu_types g
            LEFT JOIN (
                SELECT lower(gpu_type) AS gpu_type,
                       sum(gpu_count) FILTER (WHERE status IN ('active', 'preparing')) AS in_use,
                       sum(gpu_count) FILTER (WHERE status IN ('queued', 'pending')) AS queued
                FROM reservations WHERE status IN ('active', 'preparing', 'queued', 'pending') AND gpu_type IS NOT NULL
                GROUP BY lower(gpu_type)) r ON r.gpu_type = lower(g.gpu_type)
            WHERE g.is_active
            ORDER BY g.gpu_type
            """,
            connection);
        var rows = await command.QueryListAsync(ReadAvailability, cancellationToken);
        return rows.ToDictionary(r => r.GpuType);
    }

    private static GpuAvailability ReadAvailability(NpgsqlDataReader row) => new()
    {
        GpuType = row.GetString(0),
        Total = row.GetInt64(1),
        Available = row.GetInt64(2),
        InUse = row.GetInt64(3),
        Queued = row.GetInt64(4),
        MaxPerNode = row.GetInt32(5),
    };

    private sealed record ClusterCounts(long Active, long Preparing, long Queued, long Pending, long InUseGpus, long QueuedGpus)
    {
        public static ClusterCounts Read(NpgsqlDataReader row) =>
            new(row.GetInt64(0), row.GetInt64(1), row.GetInt64(2), row.GetInt64(3), row.GetInt64(4), row.GetInt64(5));
    }
}
