using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace GpuDev.Api.Tests;

[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class AuthenticationTests(GpuDevEnvironmentFixture fixture) : ApiTestBase(fixture)
{
    [Fact]
    public async Task Missing_key_is_401()
    {
        var detail = await AssertProblemAsync(await Anonymous.GetAsync("/v1/jobs"), HttpStatusCode.Unauthorized);
        Assert.Contains("Bearer", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer short")]
    [InlineData("Bearer ' OR 1=1 --")]
    public async Task Malformed_key_is_401(string header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/jobs");
        request.Headers.TryAddWithoutValidation("Authorization", header);
        await AssertProblemAsync(await Anonymous.SendAsync(request), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Unknown_key_is_401()
    {
        using var client = KeyClient(new string('A', 86));
        var detail = await AssertProblemAsync(await client.GetAsync("/v1/jobs"), HttpStatusCode.Unauthorized);
        Assert.Contains("not known", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_key_is_403()
    {
        var (_, _, client, login) = await NewUserAsync("expired");
        await ExecuteAsync("UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE key_prefix = $1", login.GetProperty("key_prefix").GetString()!);
        var detail = await AssertProblemAsync(await client.GetAsync("/v1/jobs"), HttpStatusCode.Forbidden);
        Assert.Contains("expired", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoked_key_is_403()
    {
        var (_, _, client, login) = await NewUserAsync("revoked");
        using var admin = AdminClient();
        var revoke = await admin.DeleteAsync($"/v1/admin/keys/{login.GetProperty("key_prefix").GetString()}");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(1, (await JsonAsync(revoke)).GetProperty("revoked_keys").GetInt32());
        var detail = await AssertProblemAsync(await client.GetAsync("/v1/jobs"), HttpStatusCode.Forbidden);
        Assert.Contains("revoked", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabled_user_is_403()
    {
        var (username, _, client, _) = await NewUserAsync("disabled");
        using var admin = AdminClient();
        var disabled = await admin.PostAsync($"/v1/admin/users/{username}/disable", null);
        Assert.False((await JsonAsync(disabled)).GetProperty("is_active").GetBoolean());
        var detail = await AssertProblemAsync(await client.GetAsync("/v1/jobs"), HttpStatusCode.Forbidden);
        Assert.Contains("disabled", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_key_works_and_records_its_use()
    {
        var (_, _, client, login) = await NewUserAsync("used");
        var prefix = login.GetProperty("key_prefix").GetString()!;
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM api_keys WHERE key_prefix = $1 AND last_used_at IS NOT NULL", prefix));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/jobs")).StatusCode);
        // Uses are written behind the request, within ApiKeys:LastUsedFlushMilliseconds (1 s).
        await EventuallyAsync(async () => await CountAsync("SELECT count(*) FROM api_keys WHERE key_prefix = $1 AND last_used_at IS NOT NULL", prefix) == 1,
            "last_used_at was not recorded");
    }

    [Fact]
    public async Task Every_use_moves_last_used_at_forward()
    {
        var (_, _, client, login) = await NewUserAsync("usedtwice");
        var prefix = login.GetProperty("key_prefix").GetString()!;
        const string LastUsed = "SELECT coalesce(extract(epoch FROM last_used_at) * 1000000, 0)::bigint FROM api_keys WHERE key_prefix = $1";
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/jobs")).StatusCode);
        await EventuallyAsync(async () => await CountAsync(LastUsed, prefix) > 0, "the first use was not recorded");
        var first = await CountAsync(LastUsed, prefix);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/jobs")).StatusCode);
        await EventuallyAsync(async () => await CountAsync(LastUsed, prefix) > first, "the second use did not move last_used_at");
    }

    [Fact]
    public async Task Only_the_hash_and_prefix_of_a_key_are_stored()
    {
        var (_, key, _, login) = await NewUserAsync("stored");
        Assert.Equal(86, key.Length);
        Assert.Equal(key[..8], login.GetProperty("key_prefix").GetString());
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM api_keys WHERE key_hash = $1", hash));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM api_keys WHERE key_hash = $1 OR description = $1 OR key_prefix = $1", key));
    }

    [Fact]
    public async Task Login_response_has_production_fields_and_default_ttl_of_two_hours()
    {
        var (username, _, _, login) = await NewUserAsync("login");
        Assert.Equal(username, login.GetProperty("username").GetString());
        Assert.True(login.GetProperty("user_id").GetInt32() > 0);
        var expires = login.GetProperty("expires_at").GetDateTime();
        Assert.InRange(expires - DateTime.UtcNow, TimeSpan.FromHours(1.9), TimeSpan.FromHours(2.1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(169)]
    public async Task Key_ttl_outside_1_to_168_hours_is_400(int ttlHours)
    {
        var (username, _, _, _) = await NewUserAsync("ttl");
        using var admin = AdminClient();
        await AssertProblemAsync(await admin.PostAsJsonAsync($"/v1/admin/users/{username}/keys", new { ttl_hours = ttlHours }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Rotate_returns_a_new_key_and_as_in_production_the_old_one_stays_valid()
    {
        var (username, oldKey, client, _) = await NewUserAsync("rotate");
        var response = await client.PostAsync("/v1/keys/rotate", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rotated = await JsonAsync(response);
        var newKey = rotated.GetProperty("api_key").GetString()!;
        Assert.NotEqual(oldKey, newKey);
        Assert.Equal(username, rotated.GetProperty("username").GetString());
        Assert.True(rotated.TryGetProperty("expires_at", out _));
        Assert.Equal(newKey[..8], rotated.GetProperty("key_prefix").GetString());

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/jobs")).StatusCode);
        using var newClient = KeyClient(newKey);
        Assert.Equal(HttpStatusCode.OK, (await newClient.GetAsync("/v1/jobs")).StatusCode);
    }

    [Fact]
    public async Task Admin_endpoints_without_token_are_401()
    {
        await AssertProblemAsync(await Anonymous.GetAsync("/v1/admin/queues"), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await Anonymous.PostAsJsonAsync("/v1/admin/users", new { username = UniqueName("nope") }), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Admin_endpoints_with_wrong_token_are_401()
    {
        using var client = Environment.CreateApiClient();
        client.DefaultRequestHeaders.Add("X-Admin-Token", Environment.AdminToken + "x");
        var detail = await AssertProblemAsync(await client.GetAsync("/v1/admin/queues"), HttpStatusCode.Unauthorized);
        Assert.Contains("does not match", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_api_key_does_not_open_admin_endpoints()
    {
        var (_, key, _, _) = await NewUserAsync("notadmin");
        using var client = Environment.CreateApiClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        await AssertProblemAsync(await client.GetAsync("/v1/admin/queues"), HttpStatusCode.Unauthorized);
    }
}
