using GpuDev.Api.Infrastructure;
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
        await using var command = dataSource.CreateCommand(
            """
            SELECT gpu_type, instance_type, max_gpus, cpus, memory_gb, total_cluster_gpus, max_per_node, is_active, description
            FROM gpu_types WHERE is_active ORDER BY gpu_type
            """);
        var list = await command.QueryListAsync(ReadGpuType, cancellationToken);
        return TypedResults.Ok(new GpuTypeList(list, list.Count));
    }

    private static GpuType ReadGpuType(NpgsqlDataReader row) => new()
    {
        GpuTypeName = row.GetString(0),
        InstanceType = row.GetString(1),
        MaxGpus = row.GetInt32(2),
        Cpus = row.GetInt32(3),
        MemoryGb = row.GetInt32(4),
        TotalClusterGpus = row.GetNullable<int>(5),
        MaxPerNode = row.GetNullable<int>(6),
        IsActive = row.GetNullable<bool>(7),
        Description = row.GetNullableString(8),
    };
}
