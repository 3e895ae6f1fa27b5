using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace GpuDev.Api.Tests;

/// <summary>What every API test needs: clients, a fresh user with a key, and direct database access for assertions.</summary>
public abstract class ApiTestBase(GpuDevEnvironmentFixture fixture) : IDisposable
{
    protected ApiEnvironment Environment => fixture.Environment;

    protected HttpClient Anonymous { get; } = fixture.Environment.CreateApiClient();

    public void Dispose()
    {
        Anonymous.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static string UniqueName(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..Math.Min(purpose.Length + 13, 60)];

    protected HttpClient AdminClient()
    {
        var client = Environment.CreateApiClient();
        client.DefaultRequestHeaders.Add("X-Admin-Token", Environment.AdminToken);
        return client;
    }

    protected HttpClient KeyClient(string apiKey)
    {
        var client = Environment.CreateApiClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>Creates a user through the admin API and issues a key; returns the login response.</summary>
    protected async Task<(string Username, string ApiKey, HttpClient Client, JsonElement Login)> NewUserAsync(string purpose = "user")
    {
        var username = UniqueName(purpose);
        using var admin = AdminClient();
        var created = await admin.PostAsJsonAsync("/v1/admin/users", new { username, email = $"{username}@example.com" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var issued = await admin.PostAsync($"/v1/admin/users/{username}/keys", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var login = await JsonAsync(issued);
        var key = login.GetProperty("api_key").GetString()!;
        return (username, key, KeyClient(key), login);
    }

    protected static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    protected static StringContent RawJson(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Asserts an RFC 9457 problem with the status and returns its detail.</summary>
    protected static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        return problem.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : body;
    }

    protected async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(await Environment.DatabaseConnectionStringAsync());
        await connection.OpenAsync();
        return connection;
    }

    protected async Task<long> CountAsync(string sql, params object[] parameters)
    {
        await using var connection = await OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Awaits a condition the API makes true in the background, failing with <paramref name="failure"/> after 15 s.</summary>
    protected static Task EventuallyAsync(Func<Task<bool>> condition, string failure) =>
        Eventually.WaitUntilAsync(condition, TimeSpan.FromSeconds(15), () => failure);

    /// <summary>The messages on a queue whose job_id (or disk_name for disk operations) matches, oldest first.</summary>
    protected async Task<IReadOnlyList<JsonElement>> QueueMessagesAsync(string queue, string field, string value)
    {
        await using var connection = await OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT message::text FROM pgmq.q_{queue} WHERE message->>$1 = $2 ORDER BY msg_id", connection)
        {
            Parameters = { new() { Value = field }, new() { Value = value } },
        };
        var messages = new List<JsonElement>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            messages.Add(JsonDocument.Parse(reader.GetString(0)).RootElement.Clone());
        }

        return messages;
    }

    protected static object GpuJob(string gpuType = "t4", int gpuCount = 1, string? reservationId = null) => new
    {
        image = "pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime",
        instance_type = (string?)null,
        duration_hours = 4,
        env_vars = reservationId is null
            ? new Dictionary<string, string> { ["GPU_TYPE"] = gpuType, ["GPU_COUNT"] = gpuCount.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            : new Dictionary<string, string> { ["GPU_TYPE"] = gpuType, ["GPU_COUNT"] = gpuCount.ToString(System.Globalization.CultureInfo.InvariantCulture), ["RESERVATION_ID"] = reservationId },
        command = "python train.py",
    };

    protected static async Task<string> SubmitAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/v1/jobs/submit", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await JsonAsync(response)).GetProperty("job_id").GetString()!;
    }

    protected async Task SetJobStatusAsync(string jobId, string status)
    {
        await using var connection = await OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("UPDATE reservations SET status = $1 WHERE reservation_id = $2", connection)
        {
            Parameters = { new() { Value = status }, new() { Value = jobId } },
        };
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    protected async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = await OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync();
    }
}
