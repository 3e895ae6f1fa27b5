using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace GpuDev.Api.Tests;

/// <summary>Bad input of every kind gets a 4xx problem naming the cause; nothing reaches a 5xx or leaks internals.</summary>
[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class MalformedInputTests(GpuDevEnvironmentFixture fixture) : ApiTestBase(fixture)
{
    public static TheoryData<string> Injections => new()
    {
        "' OR '1'='1",
        "'; DROP TABLE reservations; --",
        "Robert'); DROP TABLE api_users;--",
        "nul\u0000byte",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "${jndi:ldap://example.invalid/a}",
        "%27%20OR%201%3D1",
        "\"},{\"admin\":true",
    };

    public static TheoryData<string> InvalidSubmitBodies => new()
    {
        "{",
        "not json",
        "[]",
        "null",
        "\"a string\"",
        "{}",
        """{"duration_hours": 4}""",
        """{"image": 1, "duration_hours": 4, "gpu_type": "t4"}""",
        """{"image": "img", "duration_hours": "four", "gpu_type": "t4"}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "t4", "gpu_count": "2"}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "t4", "gpu_count": 2.5}""",
        """{"image": "img", "duration_hours": -1, "gpu_type": "t4"}""",
        """{"image": "img", "duration_hours": 0, "gpu_type": "t4"}""",
        """{"image": "img", "duration_hours": 73, "gpu_type": "t4"}""",
        """{"image": "img", "duration_hours": 1e308, "gpu_type": "t4"}""",
        """{"image": "img", "duration_hours": 1e999, "gpu_type": "t4"}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "t4", "gpu_count": -1}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "t4", "gpu_count": 99999999999999999999999}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "t4", "disk_size_gb": -10}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "t4", "disk_size_gb": 2147483648}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "t4", "disk_name": "has space"}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "no-such-gpu"}""",
        """{"image": "img", "duration_hours": 4, "instance_type": "x1.huge"}""",
        """{"image": "img", "duration_hours": 4}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "t4", "env_vars": []}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "t4", "env_vars": {"A": 1}}""",
        """{"image": "img", "duration_hours": 4, "env_vars": {"GPU_TYPE": "t4", "GPU_COUNT": "many"}}""",
        """{"image": "img", "duration_hours": 4, "env_vars": {"GPU_TYPE": "t4", "GPU_COUNT": "-1"}}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "t4", "env_vars": {"RESERVATION_ID": "a b"}}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "t4", "env_vars": {"X": "nul\u0000"}}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "t4", "name": "nul\u0000"}""",
        """{"image": "img", "duration_hours": 4, "gpu_type": "t4", "instance_type": "g6.12xlarge"}""",
    };

    [Theory]
    [MemberData(nameof(InvalidSubmitBodies))]
    public async Task Invalid_submit_bodies_are_400_problems(string json)
    {
        var (_, _, client, _) = await NewUserAsync("badjson");
        await AssertProblemAsync(await client.PostAsync("/v1/jobs/submit", RawJson(json)), HttpStatusCode.BadRequest);
        Assert.Equal(0, (await JsonAsync(await client.GetAsync("/v1/jobs"))).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task A_two_megabyte_string_is_refused_as_too_large()
    {
        var (_, _, client, _) = await NewUserAsync("huge");
        var body = $$"""{"image": "{{new string('a', 2 * 1024 * 1024)}}", "duration_hours": 4, "gpu_type": "t4"}""";
        // With Expect: 100-continue the client waits for the verdict before sending 2 MB, so it can read
        // the 413; without it the server's early answer races the upload and the connection is reset.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs/submit") { Content = RawJson(body) };
        request.Headers.ExpectContinue = true;
        var detail = await AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("at most", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_string_under_the_body_limit_is_a_400_naming_the_field()
    {
        var (_, _, client, _) = await NewUserAsync("long");
        var body = $$"""{"image": "img", "duration_hours": 4, "gpu_type": "t4", "name": "{{new string('n', 500_000)}}"}""";
        var detail = await AssertProblemAsync(await client.PostAsync("/v1/jobs/submit", RawJson(body)), HttpStatusCode.BadRequest);
        Assert.Contains("name must be at most 255 characters", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_refused()
    {
        var (_, _, client, _) = await NewUserAsync("chunked");
        // A valid submission padded with 2 MB of whitespace: only the size limit can refuse it.
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"image": "img", "duration_hours": 4, "gpu_type": "t4"{{new string(' ', 2 * 1024 * 1024)}}}""")));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs/submit") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        await AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Wrong_content_type_is_a_4xx_problem()
    {
        var (_, _, client, _) = await NewUserAsync("ctype");
        var response = await client.PostAsync("/v1/jobs/submit", new StringContent("image=x", Encoding.UTF8, "text/plain"));
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("/v1/jobs?limit=abc")]
    [InlineData("/v1/jobs?limit=0")]
    [InlineData("/v1/jobs?limit=501")]
    [InlineData("/v1/jobs?limit=99999999999999999999")]
    [InlineData("/v1/jobs?offset=-1")]
    [InlineData("/v1/jobs?status=bogus")]
    [InlineData("/v1/jobs?status=%27%20OR%201%3D1")]
    public async Task Invalid_query_values_are_400_problems(string url)
    {
        var (_, _, client, _) = await NewUserAsync("query");
        await AssertProblemAsync(await client.GetAsync(url), HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task Injection_strings_in_paths_get_4xx_problems(string injection)
    {
        var (_, _, client, _) = await NewUserAsync("pathinj");
        using var admin = AdminClient();
        var segment = Uri.EscapeDataString(injection);
        var responses = new List<(string What, HttpResponseMessage Response)>
        {
            ("GET job", await client.GetAsync($"/v1/jobs/{segment}")),
            ("cancel", await client.PostAsync($"/v1/jobs/{segment}/cancel", null)),
            ("extend", await client.PostAsJsonAsync($"/v1/jobs/{segment}/extend", new { extension_hours = 1 })),
            ("jupyter", await client.PostAsync($"/v1/jobs/{segment}/jupyter/enable", null)),
            ("add user", await client.PostAsJsonAsync($"/v1/jobs/{segment}/users", new { github_username = "octocat" })),
            ("GET disk", await client.GetAsync($"/v1/disks/{segment}")),
            ("DELETE disk", await client.DeleteAsync($"/v1/disks/{segment}")),
            ("issue key", await admin.PostAsync($"/v1/admin/users/{segment}/keys", null)),
            ("disable", await admin.PostAsync($"/v1/admin/users/{segment}/disable", null)),
            ("revoke", await admin.DeleteAsync($"/v1/admin/keys/{segment}")),
        };

        foreach (var (what, response) in responses)
        {
            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"{what} answered {status}");
            if (response.Content.Headers.ContentLength > 0)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        await AssertTablesIntactAsync();
    }

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task Injection_strings_in_validated_body_fields_get_4xx_problems(string injection)
    {
        var (_, _, client, _) = await NewUserAsync("bodyinj");
        using var admin = AdminClient();
        object[] submits =
        [
            new { image = injection, duration_hours = 1, gpu_type = "t4" },
            new { image = "img", duration_hours = 1, gpu_type = injection },
            new { image = "img", duration_hours = 1, instance_type = injection },
            new { image = "img", duration_hours = 1, gpu_type = "t4", disk_name = injection },
            new { image = "img", duration_hours = 1, env_vars = new Dictionary<string, string> { ["GPU_TYPE"] = injection } },
            new { image = "img", duration_hours = 1, env_vars = new Dictionary<string, string> { ["GPU_TYPE"] = "t4", ["GPU_COUNT"] = injection } },
            new { image = "img", duration_hours = 1, env_vars = new Dictionary<string, string> { ["GPU_TYPE"] = "t4", ["RESERVATION_ID"] = injection } },
        ];
        foreach (var body in submits)
        {
            await AssertProblemAsync(await client.PostAsJsonAsync("/v1/jobs/submit", body), HttpStatusCode.BadRequest);
        }

        await AssertProblemAsync(await client.PostAsJsonAsync("/v1/disks", new { disk_name = injection, size_gb = 10 }), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await admin.PostAsJsonAsync("/v1/admin/users", new { username = injection }), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await admin.PostAsJsonAsync("/v1/admin/users", new { username = UniqueName("inj"), email = injection }), HttpStatusCode.BadRequest);

        var jobId = await SubmitAsync(client, GpuJob());
        await AssertProblemAsync(await client.PostAsJsonAsync($"/v1/jobs/{jobId}/users", new { github_username = injection }), HttpStatusCode.BadRequest);
        Assert.Equal(1, (await JsonAsync(await client.GetAsync("/v1/jobs"))).GetProperty("total").GetInt64());
        await AssertTablesIntactAsync();
    }

    /// <summary>Free-text fields (command, name, env var values) accept any text and store it literally; NUL is refused as 400.</summary>
    [Theory]
    [MemberData(nameof(Injections))]
    public async Task Injection_strings_in_free_text_fields_are_stored_literally_or_refused(string injection)
    {
        var (_, _, client, _) = await NewUserAsync("freetext");
        var response = await client.PostAsJsonAsync("/v1/jobs/submit", new
        {
            image = "img",
            duration_hours = 1,
            gpu_type = "t4",
            command = injection,
            name = injection,
            env_vars = new Dictionary<string, string> { [injection] = injection },
        });

        if (injection.Contains('\0', StringComparison.Ordinal))
        {
            await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var jobId = (await JsonAsync(response)).GetProperty("job_id").GetString()!;
            Assert.Equal(injection, (await JsonAsync(await client.GetAsync($"/v1/jobs/{jobId}"))).GetProperty("name").GetString());
            var message = Assert.Single(await QueueMessagesAsync("gpu_reservations", "job_id", jobId));
            Assert.Equal(injection, message.GetProperty("command").GetString());
            Assert.Equal(injection, message.GetProperty("env_vars").GetProperty(injection).GetString());
        }

        await AssertTablesIntactAsync();
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"extension_hours": "two"}""")]
    [InlineData("""{"extension_hours": 0}""")]
    [InlineData("""{"extension_hours": 73}""")]
    [InlineData("""{"extension_hours": 1e999}""")]
    [InlineData("{")]
    public async Task Invalid_extend_bodies_are_400_problems(string json)
    {
        var (_, _, client, _) = await NewUserAsync("badextend");
        var jobId = await SubmitAsync(client, GpuJob());
        await AssertProblemAsync(await client.PostAsync($"/v1/jobs/{jobId}/extend", RawJson(json)), HttpStatusCode.BadRequest);
        Assert.Single(await QueueMessagesAsync("gpu_reservations", "job_id", jobId));
    }

    [Theory]
    [InlineData("""{"disk_name": 123, "size_gb": 10}""")]
    [InlineData("""{"disk_name": "d", "size_gb": 1.5}""")]
    [InlineData("""{"size_gb": 10}""")]
    [InlineData("""{"disk_name": "d", "size_gb": -5}""")]
    [InlineData("""{"disk_name": "d", "size_gb": 1e30}""")]
    public async Task Invalid_disk_bodies_are_400_problems(string json)
    {
        var (_, _, client, _) = await NewUserAsync("baddisks");
        await AssertProblemAsync(await client.PostAsync("/v1/disks", RawJson(json)), HttpStatusCode.BadRequest);
        Assert.Equal(0, (await JsonAsync(await client.GetAsync("/v1/disks"))).GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"username": 5}""")]
    [InlineData("""{"username": ""}""")]
    [InlineData("""{"email": "x@example.com"}""")]
    public async Task Invalid_admin_bodies_are_400_problems(string json)
    {
        using var admin = AdminClient();
        await AssertProblemAsync(await admin.PostAsync("/v1/admin/users", RawJson(json)), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Unknown_route_is_a_404_problem()
    {
        await AssertProblemAsync(await Anonymous.GetAsync("/v1/nothing-here"), HttpStatusCode.NotFound);
    }

    private async Task AssertTablesIntactAsync()
    {
        foreach (var table in new[] { "api_users", "api_keys", "reservations", "disks", "gpu_types" })
        {
            Assert.Equal(1, await CountAsync("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = $1", table));
        }

        Assert.Equal(10, await CountAsync("SELECT count(*) FROM gpu_types WHERE is_active"));
    }
}
