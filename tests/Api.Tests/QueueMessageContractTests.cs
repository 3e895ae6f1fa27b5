using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GpuDev.Api.Tests;

/// <summary>
/// Every message kind the API sends, field for field as production's API writes it (the reservation processor
/// reads these), and each one carrying the sender's W3C trace context in the PGMQ headers.
/// </summary>
[Collection(GpuDevEnvironmentGroup.Name)]
public sealed partial class QueueMessageContractTests(GpuDevEnvironmentFixture fixture) : ApiTestBase(fixture)
{
    private static readonly string[] MetadataFields = ["created_at", "max_retries", "retry_count"];
    private static readonly string[] ActionFields = ["_metadata", "action", "job_id", "requested_at", "reservation_id", "user_id", "username"];

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$")]
    private static partial Regex PythonIsoFormat();

    [Fact]
    public async Task Create_reservation_has_productions_fields_and_value_types()
    {
        var (username, _, client, _) = await NewUserAsync("contract");
        var jobId = Guid.NewGuid().ToString();
        var (traceId, request) = Traced(HttpMethod.Post, "/v1/jobs/submit", new
        {
            instance_type = "c7i.8xlarge",
            duration_hours = 3,
            env_vars = new Dictionary<string, string> { ["GPU_TYPE"] = "CPU-X86", ["GPU_COUNT"] = "0", ["RESERVATION_ID"] = jobId },
        });
        Assert.True((await client.SendAsync(request)).IsSuccessStatusCode);

        var (message, headers) = Assert.Single(await MessagesAsync("gpu_reservations", jobId));
        AssertFields(message, "_metadata", "action", "command", "created_at", "disk_name", "disk_size_gb", "dockerimage", "duration_hours", "env_vars",
            "github_user", "gpu_count", "gpu_type", "instance_type", "job_id", "jupyter_enabled", "name", "reservation_id", "status", "submitted_at",
            "user_id", "username", "version");
        Assert.Equal("create_reservation", message.GetProperty("action").GetString());
        Assert.Equal("0.4.0", message.GetProperty("version").GetString());
        Assert.Equal($"gpu-dev-{jobId[..8]}", message.GetProperty("name").GetString());
        Assert.Equal("cpu-x86", message.GetProperty("gpu_type").GetString());
        Assert.Equal("3", message.GetProperty("duration_hours").GetRawText());
        Assert.Equal("0", message.GetProperty("gpu_count").GetRawText());
        Assert.Equal("", message.GetProperty("github_user").GetString());
        Assert.Equal(JsonValueKind.False, message.GetProperty("jupyter_enabled").ValueKind);
        foreach (var nullField in new[] { "dockerimage", "disk_name", "disk_size_gb", "command" })
        {
            Assert.Equal(JsonValueKind.Null, message.GetProperty(nullField).ValueKind);
        }

        Assert.Equal("queued", message.GetProperty("status").GetString());
        Assert.Equal(username, message.GetProperty("user_id").GetString());
        Assert.Matches(PythonIsoFormat(), message.GetProperty("submitted_at").GetString()!);
        Assert.Matches(PythonIsoFormat(), message.GetProperty("created_at").GetString()!);
        AssertMetadata(message);
        AssertTraceContext(headers, traceId);
    }

    [Theory]
    [InlineData("cancel", null)]
    [InlineData("extend", "extension_hours")]
    [InlineData("enable_jupyter", null)]
    [InlineData("disable_jupyter", null)]
    [InlineData("add_user", "github_username")]
    public async Task Each_action_has_productions_fields(string action, string? extraField)
    {
        var (_, _, client, _) = await NewUserAsync("actions");
        var jobId = await SubmitAsync(client, GpuJob());
        var (path, body) = action switch
        {
            "extend" => ($"/v1/jobs/{jobId}/extend", (object?)new { extension_hours = 2 }),
            "add_user" => ($"/v1/jobs/{jobId}/users", new { github_username = "octocat" }),
            "enable_jupyter" => ($"/v1/jobs/{jobId}/jupyter/enable", null),
            "disable_jupyter" => ($"/v1/jobs/{jobId}/jupyter/disable", null),
            _ => ($"/v1/jobs/{jobId}/cancel", null),
        };
        var (traceId, request) = Traced(HttpMethod.Post, path, body);
        Assert.True((await client.SendAsync(request)).IsSuccessStatusCode);

        var (message, headers) = (await MessagesAsync("gpu_reservations", jobId)).Single(m => m.Message.GetProperty("action").GetString() == action);
        AssertFields(message, [.. ActionFields, .. extraField is null ? Array.Empty<string>() : [extraField]]);
        Assert.Equal(jobId, message.GetProperty("reservation_id").GetString());
        Assert.Matches(PythonIsoFormat(), message.GetProperty("requested_at").GetString()!);
        if (action == "extend")
        {
            Assert.Equal("2", message.GetProperty("extension_hours").GetRawText());
        }

        AssertMetadata(message);
        AssertTraceContext(headers, traceId);
    }

    [Fact]
    public async Task Create_disk_and_delete_disk_have_productions_fields()
    {
        var (username, _, client, _) = await NewUserAsync("diskcontract");
        var (createTrace, create) = Traced(HttpMethod.Post, "/v1/disks", new { disk_name = "contract", size_gb = 20 });
        Assert.True((await client.SendAsync(create)).IsSuccessStatusCode);
        var (deleteTrace, delete) = Traced(HttpMethod.Delete, "/v1/disks/contract", null);
        Assert.True((await client.SendAsync(delete)).IsSuccessStatusCode);

        var messages = await MessagesAsync("disk_operations", username, field: "user_id");
        Assert.Equal(2, messages.Count);
        var (created, createHeaders) = messages[0];
        AssertFields(created, "_metadata", "action", "disk_name", "operation_id", "requested_at", "size_gb", "user_id");
        Assert.Equal("create_disk", created.GetProperty("action").GetString());
        Assert.Equal("20", created.GetProperty("size_gb").GetRawText());
        Assert.Matches(PythonIsoFormat(), created.GetProperty("requested_at").GetString()!);
        AssertMetadata(created);
        AssertTraceContext(createHeaders, createTrace);

        var (deleted, deleteHeaders) = messages[1];
        AssertFields(deleted, "_metadata", "action", "delete_date", "disk_name", "operation_id", "requested_at", "user_id");
        Assert.Equal("delete_disk", deleted.GetProperty("action").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", deleted.GetProperty("delete_date").GetString()!);
        AssertMetadata(deleted);
        AssertTraceContext(deleteHeaders, deleteTrace);
    }

    /// <summary>
    /// A request in a fresh trace, so the test knows which trace the message must continue. The trace is the
    /// test's current activity (it flows back to the calling test and ends with it) as well as the request's
    /// header: the API runs in this process, so its HTTP client instrumentation would otherwise replace a
    /// header-only trace with one of its own.
    /// </summary>
    private static (string TraceId, HttpRequestMessage Request) Traced(HttpMethod method, string path, object? body)
    {
        var traceId = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        new Activity("test request").SetParentId(traceId, parent, ActivityTraceFlags.Recorded).Start();
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("traceparent", $"00-{traceId}-{parent}-01");
        return (traceId.ToHexString(), request);
    }

    private static void AssertFields(JsonElement message, params string[] expected) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), message.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

    private static void AssertMetadata(JsonElement message)
    {
        var metadata = message.GetProperty("_metadata");
        AssertFields(metadata, MetadataFields);
        Assert.Equal("0", metadata.GetProperty("retry_count").GetRawText());
        Assert.Equal("3", metadata.GetProperty("max_retries").GetRawText());
        Assert.Matches(PythonIsoFormat(), metadata.GetProperty("created_at").GetString()!);
    }

    private static void AssertTraceContext(JsonElement headers, string traceId)
    {
        var traceparent = headers.GetProperty("traceparent").GetString()!;
        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-0[01]$", traceparent);
    }

    private async Task<IReadOnlyList<(JsonElement Message, JsonElement Headers)>> MessagesAsync(string queue, string value, string field = "job_id")
    {
        await using var connection = await OpenDatabaseAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            $"SELECT message::text, coalesce(headers, '{{}}')::text FROM pgmq.q_{queue} WHERE message->>$1 = $2 ORDER BY msg_id", connection)
        {
            Parameters = { new() { Value = field }, new() { Value = value } },
        };
        var messages = new List<(JsonElement, JsonElement)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            messages.Add((JsonDocument.Parse(reader.GetString(0)).RootElement.Clone(), JsonDocument.Parse(reader.GetString(1)).RootElement.Clone()));
        }

        return messages;
    }
}
