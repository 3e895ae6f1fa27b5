using Dapper;
using Npgsql;

namespace GpuDev.Api.Apis;

public static class GpuTypesApi
{
    public static IEndpointRouteBuilder MapGpuTypesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/gpu-types").WithTags("GPU types");
        api.MapGet("/", GetActiveGpuTypesAsync).WithName("ListGpuTypes").WithSummary("The GPU types that can be reserved.");
        return app;
    }

    public static async Task<IResult> GetActiveGpuTypesAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<GpuType>(new CommandDefinition(
            """
            SELECT gpu_type AS GpuTypeName, instance_type AS InstanceType, max_gpus AS MaxGpus, cpus AS Cpus,
                   memory_gb AS MemoryGb, total_cluster_gpus AS TotalClusterGpus, max_per_node AS MaxPerNode,
                   is_active AS IsActive, description AS Description
            FROM gpu_types WHERE is_active ORDER BY gpu_type
            """,
            cancellationToken: cancellationToken));
        var list = rows.ToList();
        return TypedResults.Ok(new GpuTypeList(list, list.Count));
    }
}
