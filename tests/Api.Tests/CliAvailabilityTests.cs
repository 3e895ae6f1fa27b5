using System.Net;

namespace GpuDev.Api.Tests;

/// <summary>Availability and cluster status as production computes them: preparing counts as in use, types match case-insensitively.</summary>
[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class CliAvailabilityTests(GpuDevEnvironmentFixture fixture) : ApiTestBase(fixture)
{
    [Fact]
    public async Task Preparing_reservations_count_as_in_use_and_reservation_gpu_types_match_case_insensitively()
    {
        var (username, _, client, _) = await NewUserAsync("avail");
        // A type of its own, so reservations of other tests do not change its figures.
        var gpuType = UniqueName("t").ToLowerInvariant();
        await ExecuteAsync(
            "INSERT INTO gpu_types (gpu_type, instance_type, max_gpus, cpus, memory_gb, total_cluster_gpus, max_per_node, is_active, description) " +
            "VALUES ($1, 'test.xlarge', 8, 8, 8, 16, 8, true, 'availability test')", gpuType);
        try
        {
            foreach (var (status, count, type) in new[] { ("preparing", 2, gpuType.ToUpperInvariant()), ("active", 3, gpuType), ("queued", 4, gpuType), ("pending", 1, gpuType.ToUpperInvariant()), ("cancelled", 5, gpuType) })
            {
                await ExecuteAsync(
                    "INSERT INTO reservations (reservation_id, user_id, status, gpu_type, gpu_count, duration_hours, created_at) VALUES ($1, $2, $3, $4, $5, 1, now())",
                    Guid.NewGuid().ToString(), username, status, type, count);
            }

            var response = await client.GetAsync("/v1/gpu/availability");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var figures = (await JsonAsync(response)).GetProperty("availability").GetProperty(gpuType);
            Assert.Equal(16, figures.GetProperty("total").GetInt32());
            Assert.Equal(5, figures.GetProperty("in_use").GetInt32());
            Assert.Equal(11, figures.GetProperty("available").GetInt32());
            Assert.Equal(5, figures.GetProperty("queued").GetInt32());
            Assert.Equal(8, figures.GetProperty("max_per_node").GetInt32());

            var cluster = await JsonAsync(await client.GetAsync("/v1/cluster/status"));
            Assert.Equal(5, cluster.GetProperty("by_gpu_type").GetProperty(gpuType).GetProperty("in_use").GetInt32());
            Assert.True(cluster.GetProperty("preparing_reservations").GetInt32() >= 1);
        }
        finally
        {
            await ExecuteAsync("DELETE FROM reservations WHERE user_id = $1", username);
            await ExecuteAsync("DELETE FROM gpu_types WHERE gpu_type = $1", gpuType);
        }
    }
}
