using GpuDev.Api.Infrastructure;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.Api.Apis;

/// <summary>An active GPU type as job submission needs it.</summary>
public sealed record ActiveGpuType(string GpuType, string InstanceType, int MaxGpus)
{
    /// <summary>A row with the columns gpu_type, instance_type, max_gpus.</summary>
    public static ActiveGpuType Read(NpgsqlDataReader row) => new(row.GetString(0), row.GetString(1), row.GetInt32(2));
}

/// <summary>
/// The active GPU types, read from <c>gpu_types</c> and kept in memory for a short time: they are
/// reference data from fixtures, and reading them on every submission would cost a round trip each.
/// Callers that find the cached list wrong (a rejected request, a type the insert no longer sees as
/// current) ask for a fresh one, so a change in the table is never answered from a stale copy.
/// </summary>
public sealed class GpuTypeCatalog(NpgsqlDataSource dataSource, IMemoryCache cache, IOptions<GpuTypeCatalogOptions> options)
{
    private static readonly object CacheKey = new();

    /// <summary>The active types ordered by name; from memory while the cached copy is younger than the configured time.</summary>
    public async Task<IReadOnlyList<ActiveGpuType>> ActiveTypesAsync(CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(CacheKey, out IReadOnlyList<ActiveGpuType>? cached) && cached is not null)
        {
            return cached;
        }

        return await FreshActiveTypesAsync(cancellationToken);
    }

    /// <summary>The active types as the table holds them now; refreshes the cached copy.</summary>
    public async Task<IReadOnlyList<ActiveGpuType>> FreshActiveTypesAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT gpu_type, instance_type, max_gpus FROM gpu_types WHERE is_active ORDER BY gpu_type");
        var types = await command.QueryListAsync(ActiveGpuType.Read, cancellationToken);
        if (options.Value.CacheSeconds > 0)
        {
            cache.Set(CacheKey, (IReadOnlyList<ActiveGpuType>)types, TimeSpan.FromSeconds(options.Value.CacheSeconds));
        }

        return types;
    }
}
