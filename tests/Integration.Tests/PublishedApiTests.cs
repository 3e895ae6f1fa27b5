using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace GpuDev.Integration.Tests;

/// <summary>
/// The API as its container image runs it: the program <c>dotnet publish Api</c> writes (Native AOT), started by
/// the AppHost in place of the development build (<c>GPUDEV_TEST_API_PROGRAM</c>; .ci/run publishes it and runs
/// the stack tests again with it). The published program has no reflection-based JSON, options validation or data
/// mapping to fall back on, so every body type and query of the API is exercised here once.
/// </summary>
[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class PublishedApiTests(StackFixture fixture)
{
    private GpuDevEnvironment Environment => fixture.Environment;

    [PublishedApiFact]
    public void The_api_resource_runs_the_published_native_program()
    {
        Environment.App.ResourceNotifications.TryGetCurrentState(GpuDevEnvironment.ApiResource, out var api);
        var pid = Convert.ToInt32(api!.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value, CultureInfo.InvariantCulture);

        Assert.Equal(GpuDevEnvironment.ApiProgram, new FileInfo($"/proc/{pid}/exe").LinkTarget);
        // Native: no IL assembly of the API beside the program, and no runtime loaded into the process.
        Assert.False(File.Exists(Path.ChangeExtension(GpuDevEnvironment.ApiProgram, ".dll")));
        Assert.DoesNotContain("libcoreclr.so", File.ReadAllText($"/proc/{pid}/maps"), StringComparison.Ordinal);
    }

    [PublishedApiFact]
    public async Task Every_endpoint_family_answers_with_its_json_body()
    {
        using var admin = Environment.CreateApiClient();
        admin.DefaultRequestHeaders.Add("X-Admin-Token", Environment.AdminToken);
        var username = $"aot-{Guid.NewGuid():N}"[..20];

        var created = await admin.PostAsJsonAsync("/v1/admin/users", new { username, email = $"{username}@example.com" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(username, (await Body(created)).GetProperty("username").GetString());
        var issued = await Body(await admin.PostAsJsonAsync($"/v1/admin/users/{username}/keys", new { ttl_hours = 2 }));
        Assert.Equal(2, issued.GetProperty("ttl_hours").GetInt32());
        Assert.Equal(JsonValueKind.Array, (await Body(await admin.GetAsync("/v1/admin/queues"))).GetProperty("queues").ValueKind);

        using var user = Environment.CreateApiClient();
        user.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.GetProperty("api_key").GetString());

        Assert.Equal("healthy", (await Body(await user.GetAsync("/health"))).GetProperty("status").GetString());
        Assert.True((await Body(await user.GetAsync("/v1/gpu-types"))).GetProperty("total").GetInt32() > 0);
        Assert.Equal(JsonValueKind.Object, (await Body(await user.GetAsync("/v1/gpu/availability"))).GetProperty("availability").ValueKind);
        Assert.Equal(JsonValueKind.Object, (await Body(await user.GetAsync("/v1/cluster/status"))).GetProperty("by_gpu_type").ValueKind);

        var submitted = await Body(await user.PostAsJsonAsync("/v1/jobs/submit", new
        {
            image = "pytorch/pytorch:2.8.0-cuda12.9-cudnn9-devel",
            duration_hours = 1,
            env_vars = new Dictionary<string, string> { ["GPU_TYPE"] = "cpu-x86", ["GPU_COUNT"] = "0" },
        }));
        var jobId = submitted.GetProperty("job_id").GetString();
        Assert.Equal(jobId, (await Body(await user.GetAsync($"/v1/jobs/{jobId}"))).GetProperty("job_id").GetString());
        Assert.Contains((await Body(await user.GetAsync("/v1/jobs"))).GetProperty("jobs").EnumerateArray(), j => j.GetProperty("job_id").GetString() == jobId);

        var disk = await Body(await user.PostAsJsonAsync("/v1/disks", new { disk_name = "scratch", size_gb = 10 }));
        Assert.Equal("scratch", disk.GetProperty("disk_name").GetString());
        Assert.Equal(1, (await Body(await user.GetAsync("/v1/disks"))).GetProperty("total").GetInt32());

        // A validation problem and an unknown job: problem details, as in the development build.
        var invalid = await user.PostAsJsonAsync("/v1/jobs/submit", new { image = "x", duration_hours = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
        var missing = await user.GetAsync($"/v1/jobs/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<JsonElement> Body(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}

/// <summary>A test of the published API program itself: runs only when <c>GPUDEV_TEST_API_PROGRAM</c> names one.</summary>
public sealed class PublishedApiFactAttribute : FactAttribute
{
    public PublishedApiFactAttribute()
    {
        if (GpuDevEnvironment.ApiProgram is null)
        {
            Skip = $"published API only: publish it (dotnet publish Api -c Release -o <folder>) and set {GpuDevEnvironment.ApiProgramVariable}=<folder>/GpuDev.Api";
        }
    }
}
