using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace GpuDev.Integration.Tests;

/// <summary>
/// Issue 17's input and output findings through the real stack (the AppHost's API on real Kestrel, its
/// PostgreSQL and that server's log in the dashboard); the rest are proven in process in Api.Tests' SecurityTests.
/// </summary>
[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class SecurityStackTests(StackFixture fixture)
{
    private static readonly string[] HealthFields = ["database", "queue", "status", "timestamp"];

    private GpuDevEnvironment Environment => fixture.Environment;

    // Finding: a NUL in env_vars returned PostgreSQL's message and copied env_vars into the PostgreSQL log.
    [Fact]
    public async Task Nul_in_env_vars_is_400_through_the_real_stack_and_never_reaches_the_postgres_log()
    {
        using var client = await NewUserClientAsync();
        var secret = $"wandb-{Guid.NewGuid():N}";
        var json = $$$"""{"image": "pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime", "duration_hours": 4, "env_vars": {"GPU_TYPE": "t4", "WANDB_API_KEY": "{{{secret}}}\u0000"}}""";

        var response = await client.PostAsync("/v1/jobs/submit", new StringContent(json, Encoding.UTF8, "application/json"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(@"$.env_vars.WANDB_API_KEY contains a NUL character (\\u0000), which PostgreSQL cannot store", body, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("invalid byte sequence", body, StringComparison.Ordinal);

        // A statement that fails on purpose after the request puts a marker in the server's log; every line
        // logged before it (the request's included) is then in hand.
        var marker = $"marker_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(await Environment.DatabaseConnectionStringAsync()))
        {
            await connection.OpenAsync();
            await using var failing = new NpgsqlCommand($"SELECT * FROM {marker}", connection);
            await Assert.ThrowsAsync<PostgresException>(() => failing.ExecuteNonQueryAsync());
        }

        var log = await Environment.WaitForLogAsync(GpuDevEnvironment.ServerResource, line => line.Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(log, line => line.Contains(secret, StringComparison.Ordinal));
    }

    // Kestrel refuses it before the API runs; nothing reaches PostgreSQL.
    [Fact]
    public async Task Nul_in_a_path_is_400_through_the_real_stack()
    {
        using var client = await NewUserClientAsync();

        var response = await client.GetAsync("/v1/jobs/abcdefgh%00");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("Exception", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // Finding: the unauthenticated /health returned database error text with host and port.
    [Fact]
    public async Task Health_without_credentials_reports_only_status_words_through_the_real_stack()
    {
        using var anonymous = Environment.CreateApiClient();

        var response = await anonymous.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HealthFields, health.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal("healthy", health.GetProperty("database").GetString());
        Assert.Equal("healthy", health.GetProperty("queue").GetString());
    }

    private async Task<HttpClient> NewUserClientAsync()
    {
        var username = $"sec-{Guid.NewGuid():N}"[..20];
        using var admin = Environment.CreateApiClient();
        admin.DefaultRequestHeaders.Add("X-Admin-Token", Environment.AdminToken);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/v1/admin/users", new { username })).StatusCode);
        var issued = await admin.PostAsync($"/v1/admin/users/{username}/keys", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var key = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("api_key").GetString();
        var client = Environment.CreateApiClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
