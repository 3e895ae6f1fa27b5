using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace GpuDev.Api.Tests;

/// <summary>The job requests production's CLI makes: list with limit 500, short ids, ownership answers, submit without an image.</summary>
[Collection(GpuDevEnvironmentGroup.Name)]
public sealed partial class CliJobFlowTests(GpuDevEnvironmentFixture fixture) : ApiTestBase(fixture)
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$")]
    private static partial Regex PythonIsoFormat();

    private static readonly string[] ShortIdSequence = ["create_reservation", "extend", "cancel"];

    private static object CpuJob(string? reservationId = null) => new
    {
        instance_type = "c7i.8xlarge",
        duration_hours = 2,
        env_vars = reservationId is null
            ? new Dictionary<string, string> { ["GPU_TYPE"] = "cpu-x86", ["GPU_COUNT"] = "0" }
            : new Dictionary<string, string> { ["GPU_TYPE"] = "cpu-x86", ["GPU_COUNT"] = "0", ["RESERVATION_ID"] = reservationId },
    };

    [Fact]
    public async Task The_clis_list_with_limit_500_is_accepted_and_501_is_not()
    {
        var (_, _, client, _) = await NewUserAsync("list500");
        var jobId = await SubmitAsync(client, CpuJob());

        var list = await client.GetAsync("/v1/jobs?limit=500&offset=0");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var body = await JsonAsync(list);
        Assert.Equal(500, body.GetProperty("limit").GetInt32());
        var job = Assert.Single(body.GetProperty("jobs").EnumerateArray());
        Assert.Equal(jobId, job.GetProperty("job_id").GetString());
        Assert.Equal("2.0", job.GetProperty("duration_hours").GetRawText());
        Assert.Matches(PythonIsoFormat(), job.GetProperty("created_at").GetString()!);
        Assert.False(job.GetProperty("jupyter_enabled").GetBoolean());

        await AssertProblemAsync(await client.GetAsync("/v1/jobs?limit=501"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_submission_without_an_image_is_queued_with_a_null_dockerimage()
    {
        var (_, _, client, _) = await NewUserAsync("noimage");
        var jobId = await SubmitAsync(client, CpuJob());

        var message = Assert.Single(await QueueMessagesAsync("gpu_reservations", "job_id", jobId));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, message.GetProperty("dockerimage").ValueKind);
        Assert.Equal("c7i.8xlarge", message.GetProperty("instance_type").GetString());
        Assert.Equal("cpu-x86", message.GetProperty("gpu_type").GetString());
        Assert.Equal(0, message.GetProperty("gpu_count").GetInt32());
    }

    [Fact]
    public async Task Show_cancel_and_extend_accept_the_8_character_short_id_of_the_callers_job()
    {
        var (_, _, client, _) = await NewUserAsync("prefix");
        var jobId = await SubmitAsync(client, CpuJob());
        var shortId = jobId[..8];

        var shown = await JsonAsync(await client.GetAsync($"/v1/jobs/{shortId}"));
        Assert.Equal(jobId, shown.GetProperty("job_id").GetString());

        var extend = await client.PostAsJsonAsync($"/v1/jobs/{shortId}/extend", new { extension_hours = 2 });
        Assert.Equal(HttpStatusCode.OK, extend.StatusCode);
        Assert.Equal(jobId, (await JsonAsync(extend)).GetProperty("job_id").GetString());

        var cancel = await client.PostAsync($"/v1/jobs/{shortId}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var cancelled = await JsonAsync(cancel);
        Assert.Equal(jobId, cancelled.GetProperty("job_id").GetString());
        Assert.Equal("requested", cancelled.GetProperty("status").GetString());

        var actions = (await QueueMessagesAsync("gpu_reservations", "job_id", jobId)).Select(m => m.GetProperty("action").GetString()).ToArray();
        Assert.Equal(ShortIdSequence, actions);
    }

    [Fact]
    public async Task A_prefix_shared_by_two_of_the_callers_jobs_is_409_naming_both_and_sends_nothing()
    {
        var (_, _, client, _) = await NewUserAsync("ambiguous");
        var stem = Guid.NewGuid().ToString("N")[..8];
        var first = $"{stem}-0000-4000-8000-000000000001";
        var second = $"{stem}-0000-4000-8000-000000000002";
        await SubmitAsync(client, CpuJob(first));
        await SubmitAsync(client, CpuJob(second));

        var detail = await AssertProblemAsync(await client.PostAsync($"/v1/jobs/{stem}/cancel", null), HttpStatusCode.Conflict);

        Assert.Contains(first, detail, StringComparison.Ordinal);
        Assert.Contains(second, detail, StringComparison.Ordinal);
        Assert.DoesNotContain("cancel", (await QueueMessagesAsync("gpu_reservations", "job_id", first)).Select(m => m.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task A_missing_job_is_404_with_productions_detail()
    {
        var (_, _, client, _) = await NewUserAsync("missing");
        var missing = Guid.NewGuid().ToString();

        Assert.Equal($"Job {missing} not found", await AssertProblemAsync(await client.GetAsync($"/v1/jobs/{missing}"), HttpStatusCode.NotFound));
        Assert.Equal($"Job {missing} not found", await AssertProblemAsync(await client.PostAsync($"/v1/jobs/{missing}/cancel", null), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Another_users_job_is_403_with_productions_detail_on_every_action_and_nothing_is_sent()
    {
        var (_, _, owner, _) = await NewUserAsync("owner");
        var (_, _, intruder, _) = await NewUserAsync("intruder");
        var jobId = await SubmitAsync(owner, CpuJob());

        Assert.Equal("You can only view your own jobs", await AssertProblemAsync(await intruder.GetAsync($"/v1/jobs/{jobId}"), HttpStatusCode.Forbidden));
        Assert.Equal("Not authorized to cancel this job", await AssertProblemAsync(await intruder.PostAsync($"/v1/jobs/{jobId}/cancel", null), HttpStatusCode.Forbidden));
        Assert.Equal("Not authorized to extend this job",
            await AssertProblemAsync(await intruder.PostAsJsonAsync($"/v1/jobs/{jobId}/extend", new { extension_hours = 1 }), HttpStatusCode.Forbidden));
        Assert.Equal("Not authorized to modify this job", await AssertProblemAsync(await intruder.PostAsync($"/v1/jobs/{jobId}/jupyter/enable", null), HttpStatusCode.Forbidden));
        Assert.Equal("Not authorized to modify this job", await AssertProblemAsync(await intruder.PostAsync($"/v1/jobs/{jobId}/jupyter/disable", null), HttpStatusCode.Forbidden));
        Assert.Equal("Not authorized to modify this job",
            await AssertProblemAsync(await intruder.PostAsJsonAsync($"/v1/jobs/{jobId}/users", new { github_username = "octocat" }), HttpStatusCode.Forbidden));

        // A short id only ever matches the caller's own jobs.
        await AssertProblemAsync(await intruder.PostAsync($"/v1/jobs/{jobId[..8]}/cancel", null), HttpStatusCode.NotFound);
        Assert.Single(await QueueMessagesAsync("gpu_reservations", "job_id", jobId));
    }

    [Fact]
    public async Task Ssh_command_is_derived_from_the_pod_only_once_the_job_is_active()
    {
        var (_, _, client, _) = await NewUserAsync("ssh");
        var jobId = await SubmitAsync(client, CpuJob());
        await ExecuteAsync("UPDATE reservations SET pod_name = 'gpu-dev-pod', ssh_command = 'stored' WHERE reservation_id = $1", jobId);

        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await JsonAsync(await client.GetAsync($"/v1/jobs/{jobId}"))).GetProperty("ssh_command").ValueKind);
        await SetJobStatusAsync(jobId, "active");
        Assert.Equal("ssh gpu-dev-pod", (await JsonAsync(await client.GetAsync($"/v1/jobs/{jobId}"))).GetProperty("ssh_command").GetString());
    }
}
