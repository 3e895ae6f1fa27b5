using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.Api.Apis;

/// <summary>An active GPU type as job submission needs it.</summary>
public sealed record ActiveGpuType(string GpuType, string InstanceType, int MaxGpus);

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
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var types = (await connection.QueryAsync<ActiveGpuType>(new CommandDefinition(
            "SELECT gpu_type AS GpuType, instance_type AS InstanceType, max_gpus AS MaxGpus FROM gpu_types WHERE is_active ORDER BY gpu_type",
            cancellationToken: cancellationToken))).ToList();
        if (options.Value.CacheSeconds > 0)
        {
            cache.Set(CacheKey, (IReadOnlyList<ActiveGpuType>)types, TimeSpan.FromSeconds(options.Value.CacheSeconds));
        }

        return types;
    }
}
