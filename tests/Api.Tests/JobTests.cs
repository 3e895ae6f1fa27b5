using System.Net;
using System.Net.Http.Json;
using Npgsql;

namespace GpuDev.Api.Tests;

[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class JobTests(GpuDevEnvironmentFixture fixture) : ApiTestBase(fixture)
{
    private static readonly string[] CancelSequence = ["create_reservation", "cancel"];
    private static readonly string[] ActionSequence = ["create_reservation", "enable_jupyter", "disable_jupyter", "add_user"];

    [Fact]
    public async Task Submission_leaves_one_queued_row_and_one_message_with_what_the_processor_needs()
    {
        var (username, _, client, _) = await NewUserAsync("submit");
        var reservationId = Guid.NewGuid().ToString();
        var response = await client.PostAsJsonAsync("/v1/jobs/submit", new
        {
            image = "pytorch/pytorch:2.4.0",
            instance_type = "p5.48xlarge",
            duration_hours = 4,
            disk_name = "my-data",
            disk_size_gb = 100,
            env_vars = new Dictionary<string, string>
            {
                ["RESERVATION_ID"] = reservationId,
                ["GPU_TYPE"] = "h100",
                ["GPU_COUNT"] = "8",
                ["GITHUB_USER"] = "octocat",
                ["JUPYTER_ENABLED"] = "true",
                ["POD_NAME"] = "gpu-dev-abc",
                ["WANDB"] = "x",
            },
            command = "python train.py",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal(reservationId, body.GetProperty("job_id").GetString());
        Assert.Equal("queued", body.GetProperty("status").GetString());
        Assert.Contains("message ID", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(body.TryGetProperty("estimated_start_time", out _));

        Assert.Equal(1, await CountAsync(
            "SELECT count(*) FROM reservations WHERE reservation_id = $1 AND user_id = $2 AND status = 'queued' AND gpu_type = 'h100' AND gpu_count = 8 " +
            "AND instance_type = 'p5.48xlarge' AND duration_hours = 4 AND github_user = 'octocat' AND jupyter_enabled AND pod_name = 'gpu-dev-abc' AND disk_name = 'my-data'",
            reservationId, username));
        var message = Assert.Single(await QueueMessagesAsync("gpu_reservations", "job_id", reservationId));
        Assert.Equal("create_reservation", message.GetProperty("action").GetString());
        Assert.Equal(reservationId, message.GetProperty("reservation_id").GetString());
        Assert.Equal(username, message.GetProperty("user_id").GetString());
        Assert.Equal(username, message.GetProperty("username").GetString());
        Assert.Equal("h100", message.GetProperty("gpu_type").GetString());
        Assert.Equal(8, message.GetProperty("gpu_count").GetInt32());
        Assert.Equal("p5.48xlarge", message.GetProperty("instance_type").GetString());
        Assert.Equal("pytorch/pytorch:2.4.0", message.GetProperty("dockerimage").GetString());
        Assert.Equal(4, message.GetProperty("duration_hours").GetDouble());
        Assert.Equal("my-data", message.GetProperty("disk_name").GetString());
        Assert.Equal("x", message.GetProperty("env_vars").GetProperty("WANDB").GetString());
        Assert.Equal("python train.py", message.GetProperty("command").GetString());
        Assert.Equal("queued", message.GetProperty("status").GetString());
        Assert.Equal(0, message.GetProperty("_metadata").GetProperty("retry_count").GetInt32());
        Assert.Equal(3, message.GetProperty("_metadata").GetProperty("max_retries").GetInt32());
        Assert.True(message.TryGetProperty("submitted_at", out _));
    }

    [Fact]
    public async Task Top_level_gpu_type_and_count_win_over_env_vars()
    {
        var (_, _, client, _) = await NewUserAsync("toplevel");
        var jobId = await SubmitAsync(client, new
        {
            image = "img",
            duration_hours = 1,
            gpu_type = "a100",
            gpu_count = 2,
            env_vars = new Dictionary<string, string> { ["GPU_TYPE"] = "t4", ["GPU_COUNT"] = "1" },
        });
        var job = await JsonAsync(await client.GetAsync($"/v1/jobs/{jobId}"));
        Assert.Equal("a100", job.GetProperty("gpu_type").GetString());
        Assert.Equal(2, job.GetProperty("gpu_count").GetInt32());
        Assert.Equal("p4d.24xlarge", job.GetProperty("instance_type").GetString());
    }

    [Fact]
    public async Task Instance_type_alone_selects_its_gpu_type()
    {
        var (_, _, client, _) = await NewUserAsync("instance");
        var jobId = await SubmitAsync(client, new { image = "img", duration_hours = 2, instance_type = "g5.12xlarge" });
        var job = await JsonAsync(await client.GetAsync($"/v1/jobs/{jobId}"));
        Assert.Equal("a10g", job.GetProperty("gpu_type").GetString());
        Assert.Equal(1, job.GetProperty("gpu_count").GetInt32());
    }

    [Fact]
    public async Task Repeated_reservation_id_is_409_and_adds_nothing()
    {
        var (_, _, client, _) = await NewUserAsync("repeat");
        var reservationId = Guid.NewGuid().ToString();
        await SubmitAsync(client, GpuJob(reservationId: reservationId));
        var again = await client.PostAsJsonAsync("/v1/jobs/submit", GpuJob(reservationId: reservationId));
        await AssertProblemAsync(again, HttpStatusCode.Conflict);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM reservations WHERE reservation_id = $1", reservationId));
        Assert.Single(await QueueMessagesAsync("gpu_reservations", "job_id", reservationId));
    }

    /// <summary>
    /// The seam: a trigger on the queue table that raises for this one job id only, installed from the
    /// test's own connection and dropped afterwards. pgmq.send then fails after the reservation insert in
    /// the same statement, so the row must be rolled back with it. Other submissions are unaffected.
    /// </summary>
    [Fact]
    public async Task Failure_to_queue_the_message_leaves_no_reservation()
    {
        var (_, _, client, _) = await NewUserAsync("atomic");
        var doomed = Guid.NewGuid().ToString();
        await using var connection = await OpenDatabaseAsync();
        var trigger = $"fail_{Guid.NewGuid():N}";
        await using (var create = new NpgsqlCommand(
            $"""
            CREATE FUNCTION pgmq.{trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'injected queue failure'; END $$;
            CREATE TRIGGER {trigger} BEFORE INSERT ON pgmq.q_gpu_reservations FOR EACH ROW
            WHEN (NEW.message->>'job_id' = '{doomed}') EXECUTE FUNCTION pgmq.{trigger}();
            """, connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            var response = await client.PostAsJsonAsync("/v1/jobs/submit", GpuJob(reservationId: doomed));
            await AssertProblemAsync(response, HttpStatusCode.InternalServerError);
            Assert.Equal(0, await CountAsync("SELECT count(*) FROM reservations WHERE reservation_id = $1", doomed));
            Assert.Empty(await QueueMessagesAsync("gpu_reservations", "job_id", doomed));

            // The seam is specific to that id: another submission goes through at the same time.
            await SubmitAsync(client, GpuJob());
        }
        finally
        {
            await using var drop = new NpgsqlCommand($"DROP TRIGGER {trigger} ON pgmq.q_gpu_reservations; DROP FUNCTION pgmq.{trigger}();", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task List_returns_only_the_callers_jobs_newest_first_with_filter_and_paging()
    {
        var (_, _, client, _) = await NewUserAsync("list");
        var first = await SubmitAsync(client, GpuJob());
        var second = await SubmitAsync(client, GpuJob());
        var third = await SubmitAsync(client, GpuJob());
        await SetJobStatusAsync(second, "active");
        var (_, _, other, _) = await NewUserAsync("listother");
        await SubmitAsync(other, GpuJob());

        var all = await JsonAsync(await client.GetAsync("/v1/jobs"));
        Assert.Equal(3, all.GetProperty("total").GetInt64());
        Assert.Equal(new[] { third, second, first }, all.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("job_id").GetString()!).ToArray());

        var active = await JsonAsync(await client.GetAsync("/v1/jobs?status=active"));
        Assert.Equal(1, active.GetProperty("total").GetInt64());
        Assert.Equal(second, active.GetProperty("jobs")[0].GetProperty("job_id").GetString());

        var page = await JsonAsync(await client.GetAsync("/v1/jobs?limit=1&offset=1"));
        Assert.Equal(3, page.GetProperty("total").GetInt64());
        Assert.Equal(1, page.GetProperty("limit").GetInt32());
        Assert.Equal(1, page.GetProperty("offset").GetInt32());
        Assert.Equal(second, Assert.Single(page.GetProperty("jobs").EnumerateArray()).GetProperty("job_id").GetString());
    }

    [Fact]
    public async Task Get_returns_production_fields()
    {
        var (username, _, client, _) = await NewUserAsync("get");
        var jobId = await SubmitAsync(client, GpuJob("l4", 2));
        var job = await JsonAsync(await client.GetAsync($"/v1/jobs/{jobId}"));
        foreach (var field in new[] { "job_id", "reservation_id", "user_id", "status", "gpu_type", "gpu_count", "instance_type", "duration_hours", "created_at",
                     "expires_at", "name", "pod_name", "node_ip", "node_port", "ssh_command", "jupyter_enabled", "jupyter_url", "jupyter_token", "github_user" })
        {
            Assert.True(job.TryGetProperty(field, out _), $"missing {field}");
        }

        Assert.Equal(jobId, job.GetProperty("reservation_id").GetString());
        Assert.Equal(username, job.GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task Another_users_job_is_forbidden_as_in_production_and_absent_from_the_list()
    {
        var (_, _, owner, _) = await NewUserAsync("owner");
        var jobId = await SubmitAsync(owner, GpuJob());
        var (_, _, stranger, _) = await NewUserAsync("stranger");

        await AssertProblemAsync(await stranger.GetAsync($"/v1/jobs/{jobId}"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await stranger.PostAsync($"/v1/jobs/{jobId}/cancel", null), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await stranger.PostAsJsonAsync($"/v1/jobs/{jobId}/extend", new { extension_hours = 1 }), HttpStatusCode.Forbidden);
        Assert.Equal(0, (await JsonAsync(await stranger.GetAsync("/v1/jobs"))).GetProperty("total").GetInt64());
        Assert.Single(await QueueMessagesAsync("gpu_reservations", "job_id", jobId));
    }

    [Fact]
    public async Task Cancel_sends_a_cancel_message()
    {
        var (username, _, client, _) = await NewUserAsync("cancel");
        var jobId = await SubmitAsync(client, GpuJob());
        var response = await JsonAsync(await client.PostAsync($"/v1/jobs/{jobId}/cancel", null));
        Assert.Equal(jobId, response.GetProperty("job_id").GetString());
        Assert.Equal("cancel", response.GetProperty("action").GetString());
        Assert.Equal("requested", response.GetProperty("status").GetString());
        Assert.Contains("message ID", response.GetProperty("message").GetString(), StringComparison.Ordinal);

        var messages = await QueueMessagesAsync("gpu_reservations", "job_id", jobId);
        Assert.Equal(CancelSequence, messages.Select(m => m.GetProperty("action").GetString()!).ToArray());
        Assert.Equal(username, messages[1].GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task Cancel_of_a_finished_job_is_409()
    {
        var (_, _, client, _) = await NewUserAsync("cancelled");
        var jobId = await SubmitAsync(client, GpuJob());
        await SetJobStatusAsync(jobId, "cancelled");
        await AssertProblemAsync(await client.PostAsync($"/v1/jobs/{jobId}/cancel", null), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Extend_sends_an_extend_message_with_the_hours()
    {
        var (_, _, client, _) = await NewUserAsync("extend");
        var jobId = await SubmitAsync(client, GpuJob());
        await SetJobStatusAsync(jobId, "active");
        var response = await JsonAsync(await client.PostAsJsonAsync($"/v1/jobs/{jobId}/extend", new { extension_hours = 3 }));
        Assert.Equal("extend", response.GetProperty("action").GetString());
        var message = (await QueueMessagesAsync("gpu_reservations", "job_id", jobId))[^1];
        Assert.Equal("extend", message.GetProperty("action").GetString());
        Assert.Equal(3, message.GetProperty("extension_hours").GetDouble());
    }

    [Theory]
    [InlineData("preparing")]
    [InlineData("expired")]
    public async Task Extend_applies_only_to_queued_or_active_jobs(string status)
    {
        var (_, _, client, _) = await NewUserAsync("noextend");
        var jobId = await SubmitAsync(client, GpuJob());
        await SetJobStatusAsync(jobId, status);
        await AssertProblemAsync(await client.PostAsJsonAsync($"/v1/jobs/{jobId}/extend", new { extension_hours = 3 }), HttpStatusCode.Conflict);
        Assert.Single(await QueueMessagesAsync("gpu_reservations", "job_id", jobId));
    }

    [Fact]
    public async Task Jupyter_and_add_user_send_their_actions()
    {
        var (_, _, client, _) = await NewUserAsync("actions");
        var jobId = await SubmitAsync(client, GpuJob());
        await SetJobStatusAsync(jobId, "active");
        Assert.Equal("enable_jupyter", (await JsonAsync(await client.PostAsync($"/v1/jobs/{jobId}/jupyter/enable", null))).GetProperty("action").GetString());
        Assert.Equal("disable_jupyter", (await JsonAsync(await client.PostAsync($"/v1/jobs/{jobId}/jupyter/disable", null))).GetProperty("action").GetString());
        var added = await JsonAsync(await client.PostAsJsonAsync($"/v1/jobs/{jobId}/users", new { github_username = "octocat" }));
        Assert.Equal("add_user", added.GetProperty("action").GetString());

        var messages = await QueueMessagesAsync("gpu_reservations", "job_id", jobId);
        Assert.Equal(ActionSequence, messages.Select(m => m.GetProperty("action").GetString()!).ToArray());
        Assert.Equal("octocat", messages[3].GetProperty("github_username").GetString());
    }

    [Theory]
    [InlineData("t4", 5)]
    [InlineData("t4", 0)]
    [InlineData("cpu-x86", 1)]
    public async Task Gpu_count_outside_the_types_limits_is_400(string gpuType, int gpuCount)
    {
        var (_, _, client, _) = await NewUserAsync("count");
        var detail = await AssertProblemAsync(await client.PostAsJsonAsync("/v1/jobs/submit", new { image = "img", duration_hours = 1, gpu_type = gpuType, gpu_count = gpuCount }), HttpStatusCode.BadRequest);
        Assert.Contains("gpu_count", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cpu_type_takes_zero_gpus()
    {
        var (_, _, client, _) = await NewUserAsync("cpu");
        var jobId = await SubmitAsync(client, new { image = "img", duration_hours = 1, gpu_type = "cpu-arm" });
        Assert.Equal(0, (await JsonAsync(await client.GetAsync($"/v1/jobs/{jobId}"))).GetProperty("gpu_count").GetInt32());
    }

    [Fact]
    public async Task Gpu_type_changes_apply_to_the_next_submission_despite_the_in_memory_copy()
    {
        var (_, _, client, _) = await NewUserAsync("catalog");
        var body = new { image = "img", duration_hours = 1, gpu_type = "t4-small" };
        await SubmitAsync(client, body);
        await ExecuteAsync("UPDATE gpu_types SET is_active = false WHERE gpu_type = 't4-small'");
        try
        {
            await AssertProblemAsync(await client.PostAsJsonAsync("/v1/jobs/submit", body), HttpStatusCode.BadRequest);
        }
        finally
        {
            await ExecuteAsync("UPDATE gpu_types SET is_active = true WHERE gpu_type = 't4-small'");
        }

        await SubmitAsync(client, body);
    }

    [Fact]
    public async Task Inactive_gpu_type_is_400()
    {
        var (_, _, client, _) = await NewUserAsync("inactive");
        await ExecuteAsync("UPDATE gpu_types SET is_active = false WHERE gpu_type = 't4-small'");
        try
        {
            var detail = await AssertProblemAsync(await client.PostAsJsonAsync("/v1/jobs/submit", new { image = "img", duration_hours = 1, gpu_type = "t4-small" }), HttpStatusCode.BadRequest);
            Assert.Contains("Active GPU types", detail, StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync("UPDATE gpu_types SET is_active = true WHERE gpu_type = 't4-small'");
        }
    }
}
