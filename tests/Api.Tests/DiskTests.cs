using System.Net;
using System.Net.Http.Json;

namespace GpuDev.Api.Tests;

[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class DiskTests(GpuDevEnvironmentFixture fixture) : ApiTestBase(fixture)
{
    [Fact]
    public async Task Create_records_the_operation_and_queues_it()
    {
        var (username, _, client, _) = await NewUserAsync("disk");
        var response = await client.PostAsJsonAsync("/v1/disks", new { disk_name = "data_1", size_gb = 50 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        var operationId = body.GetProperty("operation_id").GetString()!;
        Assert.Equal("data_1", body.GetProperty("disk_name").GetString());
        Assert.Equal("create", body.GetProperty("action").GetString());
        Assert.True(body.TryGetProperty("message", out _));
        Assert.True(body.TryGetProperty("requested_at", out _));

        var disk = await JsonAsync(await client.GetAsync("/v1/disks/data_1"));
        Assert.Equal(username, disk.GetProperty("user_id").GetString());
        Assert.Equal(50, disk.GetProperty("size_gb").GetInt32());
        Assert.Equal(operationId, disk.GetProperty("operation_id").GetString());
        Assert.Equal("pending", disk.GetProperty("operation_status").GetString());
        foreach (var field in new[] { "created_at", "last_used", "in_use", "reservation_id", "is_backing_up", "is_deleted", "snapshot_count" })
        {
            Assert.True(disk.TryGetProperty(field, out _), $"missing {field}");
        }

        var message = Assert.Single(await QueueMessagesAsync("disk_operations", "operation_id", operationId));
        Assert.Equal("create_disk", message.GetProperty("action").GetString());
        Assert.Equal(username, message.GetProperty("user_id").GetString());
        Assert.Equal(50, message.GetProperty("size_gb").GetInt32());

        var list = await JsonAsync(await client.GetAsync("/v1/disks"));
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Equal("data_1", list.GetProperty("disks")[0].GetProperty("disk_name").GetString());
    }

    [Fact]
    public async Task Duplicate_name_is_409_and_queues_nothing()
    {
        var (username, _, client, _) = await NewUserAsync("dupdisk");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/disks", new { disk_name = "dup", size_gb = 10 })).StatusCode);
        await AssertProblemAsync(await client.PostAsJsonAsync("/v1/disks", new { disk_name = "dup", size_gb = 20 }), HttpStatusCode.Conflict);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM pgmq.q_disk_operations WHERE message->>'user_id' = $1", username));

        // The same name is free for another user.
        var (_, _, other, _) = await NewUserAsync("dupother");
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsJsonAsync("/v1/disks", new { disk_name = "dup", size_gb = 10 })).StatusCode);
    }

    [Fact]
    public async Task Delete_queues_the_operation_and_records_it()
    {
        var (username, _, client, _) = await NewUserAsync("deldisk");
        await client.PostAsJsonAsync("/v1/disks", new { disk_name = "old", size_gb = 10 });
        var response = await client.DeleteAsync("/v1/disks/old");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("delete", body.GetProperty("action").GetString());
        var operationId = body.GetProperty("operation_id").GetString()!;
        var disk = await JsonAsync(await client.GetAsync("/v1/disks/old"));
        Assert.Equal(operationId, disk.GetProperty("operation_id").GetString());
        var message = Assert.Single(await QueueMessagesAsync("disk_operations", "operation_id", operationId));
        Assert.Equal("delete_disk", message.GetProperty("action").GetString());
        Assert.Equal(username, message.GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task Delete_while_in_use_is_409()
    {
        var (username, _, client, _) = await NewUserAsync("inuse");
        await client.PostAsJsonAsync("/v1/disks", new { disk_name = "busy", size_gb = 10 });
        await ExecuteAsync("UPDATE disks SET in_use = true WHERE user_id = $1 AND disk_name = 'busy'", username);
        var detail = await AssertProblemAsync(await client.DeleteAsync("/v1/disks/busy"), HttpStatusCode.Conflict);
        Assert.Contains("in use", detail, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM pgmq.q_disk_operations WHERE message->>'user_id' = $1", username));
    }

    [Fact]
    public async Task Another_users_disk_is_invisible()
    {
        var (_, _, owner, _) = await NewUserAsync("diskowner");
        await owner.PostAsJsonAsync("/v1/disks", new { disk_name = "mine", size_gb = 10 });
        var (_, _, stranger, _) = await NewUserAsync("diskstranger");
        await AssertProblemAsync(await stranger.GetAsync("/v1/disks/mine"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await stranger.DeleteAsync("/v1/disks/mine"), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("bad name", 100)]
    [InlineData("ok", 9)]
    [InlineData("ok", 10001)]
    public async Task Invalid_disk_is_400(string name, int size)
    {
        var (_, _, client, _) = await NewUserAsync("baddisk");
        await AssertProblemAsync(await client.PostAsJsonAsync("/v1/disks", new { disk_name = name, size_gb = size }), HttpStatusCode.BadRequest);
    }
}
