using System.Net.Http.Json;

namespace GpuDev.Api.Tests;

/// <summary>No 4xx or 5xx body carries internal text: no SQL, exception messages, CLR type names or stack traces.</summary>
[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class ErrorBodyTests(GpuDevEnvironmentFixture fixture) : ApiTestBase(fixture)
{
    private static readonly string[] InternalMarkers =
        ["Exception", "Npgsql", "SELECT ", "INSERT ", "System.", "   at ", "violates", "relation ", "Microsoft.", "Int32", "Nullable"];

    [Fact]
    public async Task Bad_requests_of_every_kind_answer_without_internal_text()
    {
        var (_, _, client, _) = await NewUserAsync("errors");
        var responses = new List<HttpResponseMessage>
        {
            await client.GetAsync("/v1/jobs?limit=abc"),
            await client.GetAsync("/v1/jobs?limit=100000"),
            await client.GetAsync("/v1/jobs?offset=-1"),
            await client.PostAsync("/v1/jobs/submit", RawJson("""{"duration_hours": "four", "env_vars": {"GPU_TYPE": "t4"}}""")),
            await client.PostAsync("/v1/jobs/submit", RawJson("""{"duration_hours": 2.5, "env_vars": {"GPU_TYPE": "t4"}}""")),
            await client.PostAsync("/v1/jobs/submit", RawJson("""{"env_vars": {"GPU_TYPE": "t4", "GPU_COUNT": "2"}, "command": "a\u0000b"}""")),
            await client.PostAsync("/v1/jobs/submit", RawJson("{not json")),
            await client.PostAsync("/v1/jobs/submit", RawJson("""{"env_vars": {"GPU_TYPE": "nope"}}""")),
            await client.PostAsync("/v1/disks", RawJson("""{"disk_name": "d", "size_gb": 1e30}""")),
            await client.PostAsJsonAsync("/v1/disks/x/rename", new { new_name = "a\u0000b" }),
            await client.GetAsync($"/v1/disks/x/operations/{new string('z', 300)}"),
            await client.PostAsync($"/v1/jobs/{new string('a', 400)}/cancel", null),
            await Anonymous.PostAsync("/v1/auth/aws-login", RawJson("""{"aws_access_key_id": 5}""")),
            await Anonymous.GetAsync("/v1/jobs"),
        };

        foreach (var response in responses)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
            foreach (var marker in InternalMarkers)
            {
                Assert.DoesNotContain(marker, body, StringComparison.Ordinal);
            }
        }
    }
}
