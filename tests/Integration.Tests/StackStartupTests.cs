using System.Net;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Npgsql;

namespace GpuDev.Integration.Tests;

/// <summary>The whole stack, started once for these tests, exactly as <c>dotnet run --project AppHost</c> does.</summary>
[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class StackStartupTests(StackFixture fixture)
{
    private GpuDevEnvironment Environment => fixture.Environment;

    [Fact]
    public async Task Migration_worker_exits_zero_before_the_api_starts()
    {
        var worker = await Environment.WaitForStateAsync(GpuDevEnvironment.WorkerResource, TimeSpan.FromSeconds(30), KnownResourceStates.Finished, KnownResourceStates.Exited);
        Assert.Equal(0, worker.ExitCode);

        // Ordering proven on the database's own clock: the fixtures' last write (the worker's final
        // file) precedes the API's first act, creating its queues.
        await using var connection = new NpgsqlConnection(await Environment.DatabaseConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT max(updated_at) FROM gpu_types) < (SELECT created_at FROM pgmq.meta WHERE queue_name = 'gpu_reservations')",
            connection);
        Assert.Equal(true, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Migration_worker_logs_each_file_in_production_order()
    {
        var lines = await Environment.WaitForLogAsync(GpuDevEnvironment.WorkerResource, l => l.Contains("Migration completed successfully!", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var text = string.Join('\n', lines);

        string[] expectedOrder = ["Applying schema files...", "001_users_and_keys.sql", "002_reservations.sql", "003_disks.sql", "004_gpu_types.sql", "Applying fixture data...", "001_initial_gpu_types.sql", "Migration completed successfully!"];
        // Each line must follow the previous one (other lines may sit in between).
        var position = 0;
        foreach (var expected in expectedOrder)
        {
            var found = text.IndexOf(expected, position, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{expected}' does not follow the previous step in the worker log:\n{text}");
            position = found + expected.Length;
        }
    }

    [Fact]
    public async Task Api_health_reports_database_and_both_queues_healthy()
    {
        using var client = Environment.CreateApiClient();
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("database").GetString());
        Assert.Equal("healthy", body.GetProperty("queue").GetString());
        Assert.True(body.TryGetProperty("timestamp", out _));
        var checks = body.GetProperty("checks");
        Assert.Equal("healthy", checks.GetProperty("queue:gpu_reservations").GetProperty("status").GetString());
        Assert.Equal("healthy", checks.GetProperty("queue:disk_operations").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Api_alive_answers_200()
    {
        using var client = Environment.CreateApiClient();
        using var response = await client.GetAsync(new Uri("/alive", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Gpu_types_endpoint_returns_the_ten_fixture_rows()
    {
        using var client = Environment.CreateApiClient();
        var body = JsonDocument.Parse(await client.GetStringAsync(new Uri("/v1/gpu-types", UriKind.Relative))).RootElement;

        var types = body.GetProperty("gpu_types").EnumerateArray().ToList();
        Assert.Equal(
            ["a100", "a10g", "b200", "cpu-arm", "cpu-x86", "h100", "h200", "l4", "t4", "t4-small"],
            types.Select(t => t.GetProperty("gpu_type").GetString()).Order(StringComparer.Ordinal).ToList());
        var h100 = types.Single(t => t.GetProperty("gpu_type").GetString() == "h100");
        Assert.Equal("p5.48xlarge", h100.GetProperty("instance_type").GetString());
        Assert.Equal(8, h100.GetProperty("max_gpus").GetInt32());
        Assert.Equal(2048, h100.GetProperty("memory_gb").GetInt32());
    }

    [Fact]
    public async Task Both_queues_exist_in_pgmq()
    {
        await using var connection = new NpgsqlConnection(await Environment.DatabaseConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT queue_name FROM pgmq.list_queues() ORDER BY 1", connection);
        var queues = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                queues.Add(reader.GetString(0));
            }
        }

        Assert.Contains("gpu_reservations", queues);
        Assert.Contains("disk_operations", queues);
    }

    [Fact]
    public async Task Database_resource_connection_string_matches_the_container_form()
    {
        var builder = new NpgsqlConnectionStringBuilder(await Environment.DatabaseConnectionStringAsync());

        Assert.Equal("127.0.0.1", builder.Host);
        Assert.Equal("postgres", builder.Username);
        Assert.Equal("gpudev", builder.Database);
        Assert.False(string.IsNullOrEmpty(builder.Password));
    }

    [Fact]
    public async Task Applied_schema_matches_the_production_catalog()
    {
        var catalog = await Catalog.ReadAsync(await Environment.DatabaseConnectionStringAsync());
        Assert.Equal(Catalog.Expected(), catalog);
    }

    [Fact]
    public async Task Server_listens_with_password_authentication_only()
    {
        var builder = new NpgsqlConnectionStringBuilder(await Environment.DatabaseConnectionStringAsync()) { Password = "wrong-password", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal(PostgresErrorCodes.InvalidPassword, error.SqlState);
    }

    [Fact]
    public void Postgres_mode_is_shown_as_local()
    {
        var notifications = Environment.App.ResourceNotifications;
        Assert.True(notifications.TryGetCurrentState(GpuDevEnvironment.ServerResource, out var server));
        var mode = server.Snapshot.Properties.SingleOrDefault(p => p.Name == "gpudev.postgres.mode");
        Assert.NotNull(mode);
        Assert.Equal("local", mode.Value?.ToString());
    }
}
