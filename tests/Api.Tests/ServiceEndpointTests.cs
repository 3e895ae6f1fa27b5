using System.Net;
using System.Text.Json;

namespace GpuDev.Api.Tests;

[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class ServiceEndpointTests(GpuDevEnvironmentFixture fixture) : ApiTestBase(fixture)
{
    private static readonly string[] HealthFields = ["status", "database", "queue", "timestamp"];

    [Fact]
    public async Task Root_names_the_service_and_its_version()
    {
        var body = await JsonAsync(await Anonymous.GetAsync("/"));
        Assert.Equal("GPU Dev API", body.GetProperty("service").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("version").GetString()));
        Assert.Equal("/health", body.GetProperty("health").GetString());
    }

    [Fact]
    public async Task Health_answers_with_productions_body_and_nothing_else()
    {
        var response = await Anonymous.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal(HealthFields, body.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("database").GetString());
        Assert.Equal("healthy", body.GetProperty("queue").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$", body.GetProperty("timestamp").GetString()!);
    }

    [Fact]
    public async Task Alive_answers_ok()
    {
        Assert.Equal(HttpStatusCode.OK, (await Anonymous.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task Gpu_types_lists_the_active_catalog()
    {
        var body = await JsonAsync(await Anonymous.GetAsync("/v1/gpu-types"));
        var types = body.GetProperty("gpu_types").EnumerateArray().Select(t => t.GetProperty("gpu_type").GetString()).ToList();
        Assert.Contains("h100", types);
        Assert.Equal(10, body.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Gpu_availability_counts_active_as_in_use_and_queued_as_queued()
    {
        var (_, _, client, _) = await NewUserAsync("avail");
        var before = (await JsonAsync(await client.GetAsync("/v1/gpu/availability"))).GetProperty("availability").GetProperty("b200");
        var active = await SubmitAsync(client, GpuJob("b200", 2));
        await SubmitAsync(client, GpuJob("b200", 3));
        await SetJobStatusAsync(active, "active");

        var body = await JsonAsync(await client.GetAsync("/v1/gpu/availability"));
        var b200 = body.GetProperty("availability").GetProperty("b200");
        Assert.Equal("b200", b200.GetProperty("gpu_type").GetString());
        Assert.Equal(16, b200.GetProperty("total").GetInt64());
        Assert.Equal(before.GetProperty("in_use").GetInt64() + 2, b200.GetProperty("in_use").GetInt64());
        Assert.Equal(before.GetProperty("queued").GetInt64() + 3, b200.GetProperty("queued").GetInt64());
        Assert.Equal(16 - b200.GetProperty("in_use").GetInt64(), b200.GetProperty("available").GetInt64());
        Assert.True(body.TryGetProperty("timestamp", out _));
        await SetJobStatusAsync(active, "cancelled");
    }

    [Fact]
    public async Task Cluster_status_has_production_fields()
    {
        var (_, _, client, _) = await NewUserAsync("cluster");
        var body = await JsonAsync(await client.GetAsync("/v1/cluster/status"));
        foreach (var field in new[] { "total_gpus", "available_gpus", "in_use_gpus", "queued_gpus", "active_reservations", "preparing_reservations", "queued_reservations" })
        {
            Assert.Equal(JsonValueKind.Number, body.GetProperty(field).ValueKind);
        }

        Assert.Equal(81, body.GetProperty("total_gpus").GetInt64());
    }

    [Fact]
    public async Task OpenApi_document_lists_every_endpoint()
    {
        var document = await JsonAsync(await Anonymous.GetAsync("/openapi/v1.json"));
        var paths = document.GetProperty("paths");
        string[][] expected =
        [
            ["/", "get"], ["/v1/gpu-types", "get"], ["/v1/gpu/availability", "get"], ["/v1/cluster/status", "get"],
            ["/v1/keys/rotate", "post"], ["/v1/jobs/submit", "post"], ["/v1/jobs", "get"], ["/v1/jobs/{job_id}", "get"],
            ["/v1/jobs/{job_id}/cancel", "post"], ["/v1/jobs/{job_id}/extend", "post"], ["/v1/jobs/{job_id}/jupyter/enable", "post"],
            ["/v1/jobs/{job_id}/jupyter/disable", "post"], ["/v1/jobs/{job_id}/users", "post"], ["/v1/disks", "get"], ["/v1/disks", "post"],
            ["/v1/disks/{disk_name}", "get"], ["/v1/disks/{disk_name}", "delete"], ["/v1/admin/users", "post"],
            ["/v1/admin/users/{username}/keys", "post"], ["/v1/admin/users/{username}/disable", "post"], ["/v1/admin/keys/{key_prefix}", "delete"],
            ["/v1/admin/queues", "get"],
        ];
        var missing = expected.Where(e => !(paths.TryGetProperty(e[0], out var path) && path.TryGetProperty(e[1], out _))).Select(e => $"{e[1]} {e[0]}").ToList();
        Assert.True(missing.Count == 0, $"Missing from OpenAPI: {string.Join(", ", missing)}; has: {string.Join(", ", paths.EnumerateObject().Select(p => p.Name))}");
        var submitSchema = document.GetProperty("components").GetProperty("schemas").GetProperty("SubmitJobRequest").GetProperty("properties");
        Assert.True(submitSchema.TryGetProperty("duration_hours", out _));
    }
}
