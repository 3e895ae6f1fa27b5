using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace GpuDev.Api.Tests;

/// <summary>The disk requests production's CLI makes: create without a size, poll the operation, content, rename.</summary>
[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class CliDiskFlowTests(GpuDevEnvironmentFixture fixture) : ApiTestBase(fixture)
{
    [Fact]
    public async Task A_disk_created_without_a_size_is_queued_with_a_null_size_and_its_operation_can_be_polled()
    {
        var (username, _, client, _) = await NewUserAsync("nosize");

        var created = await client.PostAsJsonAsync("/v1/disks", new { disk_name = "scratch" });

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var operationId = (await JsonAsync(created)).GetProperty("operation_id").GetString()!;
        var message = Assert.Single((await QueueMessagesAsync("disk_operations", "user_id", username)));
        Assert.Equal(JsonValueKind.Null, message.GetProperty("size_gb").ValueKind);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM disks WHERE user_id = $1 AND disk_name = 'scratch' AND size_gb IS NULL", username));

        var operation = await client.GetAsync($"/v1/disks/scratch/operations/{operationId}");
        Assert.Equal(HttpStatusCode.OK, operation.StatusCode);
        var status = await JsonAsync(operation);
        Assert.Equal(operationId, status.GetProperty("operation_id").GetString());
        Assert.Equal("scratch", status.GetProperty("disk_name").GetString());
        Assert.Equal("pending", status.GetProperty("status").GetString());
        Assert.False(status.GetProperty("completed").GetBoolean());

        await ExecuteAsync("UPDATE disks SET operation_status = 'completed' WHERE user_id = $1", username);
        Assert.True((await JsonAsync(await client.GetAsync($"/v1/disks/scratch/operations/{operationId}"))).GetProperty("completed").GetBoolean());

        var other = Guid.NewGuid().ToString();
        Assert.Equal($"Operation '{other}' not found for disk 'scratch'",
            await AssertProblemAsync(await client.GetAsync($"/v1/disks/scratch/operations/{other}"), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Content_of_a_disk_without_a_snapshot_says_so_and_a_missing_or_deleted_disk_is_404_or_410()
    {
        var (username, _, client, _) = await NewUserAsync("content");
        await client.PostAsJsonAsync("/v1/disks", new { disk_name = "fresh" });

        var content = await JsonAsync(await client.GetAsync("/v1/disks/fresh/content"));
        Assert.Equal("fresh", content.GetProperty("disk_name").GetString());
        Assert.Equal(JsonValueKind.Null, content.GetProperty("content").ValueKind);
        Assert.False(string.IsNullOrEmpty(content.GetProperty("message").GetString()));

        Assert.Equal("Disk 'nothing' not found", await AssertProblemAsync(await client.GetAsync("/v1/disks/nothing/content"), HttpStatusCode.NotFound));
        await ExecuteAsync("UPDATE disks SET is_deleted = true WHERE user_id = $1", username);
        Assert.Equal("Disk 'fresh' is marked for deletion", await AssertProblemAsync(await client.GetAsync("/v1/disks/fresh/content"), HttpStatusCode.Gone));
    }

    [Fact]
    public async Task Rename_moves_the_disk_to_the_new_name_with_productions_answer()
    {
        var (username, _, client, _) = await NewUserAsync("rename");
        await client.PostAsJsonAsync("/v1/disks", new { disk_name = "before" });

        var response = await client.PostAsJsonAsync("/v1/disks/before/rename", new { new_name = "after" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("before", body.GetProperty("old_name").GetString());
        Assert.Equal("after", body.GetProperty("new_name").GetString());
        Assert.Equal(0, body.GetProperty("snapshots_updated").GetInt32());
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM disks WHERE user_id = $1 AND disk_name = 'after'", username));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/disks/after")).StatusCode);
    }

    [Fact]
    public async Task Rename_refuses_a_taken_name_a_disk_in_use_a_deleted_disk_and_an_invalid_name()
    {
        var (username, _, client, _) = await NewUserAsync("renamebad");
        await client.PostAsJsonAsync("/v1/disks", new { disk_name = "one" });
        await client.PostAsJsonAsync("/v1/disks", new { disk_name = "two" });

        Assert.Equal("Disk 'two' already exists", await AssertProblemAsync(await client.PostAsJsonAsync("/v1/disks/one/rename", new { new_name = "two" }), HttpStatusCode.Conflict));
        await AssertProblemAsync(await client.PostAsJsonAsync("/v1/disks/one/rename", new { new_name = "bad name!" }), HttpStatusCode.BadRequest);
        Assert.Equal("Disk 'none' not found", await AssertProblemAsync(await client.PostAsJsonAsync("/v1/disks/none/rename", new { new_name = "x" }), HttpStatusCode.NotFound));

        await ExecuteAsync("UPDATE disks SET in_use = true WHERE user_id = $1 AND disk_name = 'one'", username);
        var inUse = await AssertProblemAsync(await client.PostAsJsonAsync("/v1/disks/one/rename", new { new_name = "three" }), HttpStatusCode.Conflict);
        Assert.StartsWith("Cannot rename disk 'one' - it is currently in use", inUse, StringComparison.Ordinal);

        await ExecuteAsync("UPDATE disks SET is_deleted = true WHERE user_id = $1 AND disk_name = 'two'", username);
        await AssertProblemAsync(await client.PostAsJsonAsync("/v1/disks/two/rename", new { new_name = "four" }), HttpStatusCode.Gone);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM disks WHERE user_id = $1 AND disk_name IN ('one', 'two')", username));
    }

    [Fact]
    public async Task The_list_leaves_out_disks_marked_for_deletion()
    {
        var (username, _, client, _) = await NewUserAsync("listdel");
        await client.PostAsJsonAsync("/v1/disks", new { disk_name = "kept" });
        await client.PostAsJsonAsync("/v1/disks", new { disk_name = "gone" });
        await ExecuteAsync("UPDATE disks SET is_deleted = true WHERE user_id = $1 AND disk_name = 'gone'", username);

        var list = await JsonAsync(await client.GetAsync("/v1/disks"));

        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Equal("kept", Assert.Single(list.GetProperty("disks").EnumerateArray()).GetProperty("disk_name").GetString());
    }
}
