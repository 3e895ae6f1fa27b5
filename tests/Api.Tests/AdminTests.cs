using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace GpuDev.Api.Tests;

[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class AdminTests(GpuDevEnvironmentFixture fixture) : ApiTestBase(fixture)
{
    [Fact]
    public async Task Create_user_returns_it_and_a_second_time_is_409()
    {
        var username = UniqueName("admin");
        using var admin = AdminClient();
        var created = await admin.PostAsJsonAsync("/v1/admin/users", new { username, email = "a@example.com" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await JsonAsync(created);
        Assert.Equal(username, body.GetProperty("username").GetString());
        Assert.True(body.GetProperty("is_active").GetBoolean());
        await AssertProblemAsync(await admin.PostAsJsonAsync("/v1/admin/users", new { username }), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Create_user_without_an_email_stores_none_and_their_key_authenticates()
    {
        var username = UniqueName("noemail");
        using var admin = AdminClient();
        var created = await admin.PostAsJsonAsync("/v1/admin/users", new { username });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await JsonAsync(created)).GetProperty("email").ValueKind);

        var key = await JsonAsync(await admin.PostAsync($"/v1/admin/users/{username}/keys", null));
        using var client = KeyClient(key.GetProperty("api_key").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/jobs")).StatusCode);
    }

    [Fact]
    public async Task Key_for_unknown_user_is_404()
    {
        using var admin = AdminClient();
        await AssertProblemAsync(await admin.PostAsync($"/v1/admin/users/{UniqueName("ghost")}/keys", null), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Queue_metrics_cover_both_queues()
    {
        using var admin = AdminClient();
        var body = await JsonAsync(await admin.GetAsync("/v1/admin/queues"));
        var queues = body.GetProperty("queues").EnumerateArray().ToDictionary(q => q.GetProperty("queue_name").GetString()!);
        Assert.Contains("gpu_reservations", queues.Keys);
        Assert.Contains("disk_operations", queues.Keys);
        Assert.True(queues["gpu_reservations"].TryGetProperty("queue_length", out _));
        Assert.True(queues["gpu_reservations"].TryGetProperty("total_messages", out _));
    }

    [Fact]
    public async Task Queue_length_counts_a_new_submission()
    {
        using var admin = AdminClient();
        long Length(System.Text.Json.JsonElement body) =>
            body.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue_name").GetString() == "gpu_reservations").GetProperty("queue_length").GetInt64();
        var before = Length(await JsonAsync(await admin.GetAsync("/v1/admin/queues")));
        var (_, _, client, _) = await NewUserAsync("metrics");
        await SubmitAsync(client, GpuJob());
        Assert.Equal(before + 1, Length(await JsonAsync(await admin.GetAsync("/v1/admin/queues"))));
    }
}
