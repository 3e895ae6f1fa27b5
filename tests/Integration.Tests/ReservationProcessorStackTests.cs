using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;

namespace GpuDev.Integration.Tests;

/// <summary>The reservation processor in the real stack: the API's messages, the CLI's payloads and polls, default delays.</summary>
[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class ReservationProcessorStackTests(StackFixture fixture)
{
    /// <summary>The default delays (2 s pending, 3 s preparing) plus start-up of the processor on two busy cores.</summary>
    private static readonly TimeSpan LifecycleTimeout = TimeSpan.FromSeconds(60);

    private GpuDevEnvironment Environment => fixture.Environment;

    [Fact]
    public async Task A_cpu_job_submitted_with_the_cli_payload_becomes_active_with_the_ssh_command_the_cli_waits_for()
    {
        using var client = await NewUserClientAsync();
        var submitted = await client.PostAsJsonAsync("/v1/jobs/submit", new
        {
            image = "pytorch/pytorch:2.8.0-cuda12.9-cudnn9-devel",
            instance_type = (string?)null,
            duration_hours = 1,
            env_vars = new Dictionary<string, string> { ["GPU_TYPE"] = "cpu-x86", ["GPU_COUNT"] = "0", ["GITHUB_USER"] = "octocat" },
        });
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        var jobId = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;

        var job = await WaitForJobAsync(client, jobId, "active");

        // The API answers ssh_command as production's does, from the pod name the processor set.
        Assert.Equal($"ssh gpu-dev-{jobId[..8]}", job.GetProperty("ssh_command").GetString());
        Assert.Equal("127.0.0.1", job.GetProperty("node_ip").GetString());
        Assert.Equal($"gpu-dev-{jobId[..8]}", job.GetProperty("pod_name").GetString());
        Assert.Equal(JsonValueKind.String, job.GetProperty("expires_at").ValueKind);
    }

    [Fact]
    public async Task A_job_cancelled_through_the_api_is_cancelled_by_the_processor()
    {
        using var client = await NewUserClientAsync();
        var submitted = await client.PostAsJsonAsync("/v1/jobs/submit", new
        {
            image = "pytorch/pytorch:2.8.0-cuda12.9-cudnn9-devel",
            duration_hours = 2,
            env_vars = new Dictionary<string, string> { ["GPU_TYPE"] = "cpu-arm", ["GPU_COUNT"] = "0" },
        });
        var jobId = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;
        await WaitForJobAsync(client, jobId, "active");

        var cancel = await client.PostAsync($"/v1/jobs/{jobId}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);

        var job = await WaitForJobAsync(client, jobId, "cancelled");
        Assert.Equal("Reservation cancelled by user", job.GetProperty("current_detailed_status").GetString());
    }

    [Fact]
    public async Task A_disk_created_then_deleted_through_the_api_completes_both_operations()
    {
        using var client = await NewUserClientAsync();
        var created = await client.PostAsJsonAsync("/v1/disks", new { disk_name = "datasets", size_gb = 50 });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var createOperation = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("operation_id").GetString();

        var disk = await WaitForDiskAsync(client, "datasets", d => d.GetProperty("operation_id").GetString() == createOperation && d.GetProperty("operation_status").GetString() == "completed");
        Assert.False(disk.GetProperty("is_deleted").GetBoolean());

        var deleted = await client.DeleteAsync("/v1/disks/datasets");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var deleteOperation = (await deleted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("operation_id").GetString();

        disk = await WaitForDiskAsync(client, "datasets", d => d.GetProperty("operation_id").GetString() == deleteOperation && d.GetProperty("operation_status").GetString() == "completed");
        Assert.True(disk.GetProperty("is_deleted").GetBoolean());
    }

    [Fact]
    public async Task The_processor_runs_as_a_resource_after_the_migration_worker()
    {
        var snapshot = await Environment.WaitForStateAsync(GpuDevEnvironment.ProcessorResource, LifecycleTimeout, KnownResourceStates.Running);
        Assert.Equal(KnownResourceStates.Running, snapshot.State?.Text);
        await Environment.WaitForLogAsync(GpuDevEnvironment.ProcessorResource, l => l.Contains("Consuming gpu_reservations", StringComparison.Ordinal), LifecycleTimeout);
    }

    private async Task<HttpClient> NewUserClientAsync()
    {
        var username = $"proc-{Guid.NewGuid():N}"[..20];
        using var admin = Environment.CreateApiClient();
        admin.DefaultRequestHeaders.Add("X-Admin-Token", Environment.AdminToken);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/v1/admin/users", new { username, email = $"{username}@example.com" })).StatusCode);
        var issued = await admin.PostAsync($"/v1/admin/users/{username}/keys", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var key = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("api_key").GetString();
        var client = Environment.CreateApiClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>The CLI's reserve loop: poll the job until it has the status (fails naming where it is stuck).</summary>
    private static async Task<JsonElement> WaitForJobAsync(HttpClient client, string jobId, string status)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var job = await client.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}");
            if (job.GetProperty("status").GetString() == status)
            {
                return job;
            }

            Assert.True(elapsed.Elapsed < LifecycleTimeout, $"Job {jobId} did not become {status} within {LifecycleTimeout}: {job}");
            await Task.Delay(200);
        }
    }

    private static async Task<JsonElement> WaitForDiskAsync(HttpClient client, string diskName, Func<JsonElement, bool> done)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var disk = await client.GetFromJsonAsync<JsonElement>($"/v1/disks/{diskName}");
            if (done(disk))
            {
                return disk;
            }

            Assert.True(elapsed.Elapsed < LifecycleTimeout, $"Disk {diskName}'s operation did not complete within {LifecycleTimeout}: {disk}");
            await Task.Delay(200);
        }
    }
}
