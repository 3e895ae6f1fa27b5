using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Npgsql;

namespace GpuDev.Integration.Tests;

/// <summary>
/// The whole stack, started once for these tests, exactly as <c>dotnet run --project AppHost</c> does:
/// what only the stack can show (start-up order, the worker's log, the database resource, the
/// server's authentication). The fixture's start waits for the API's /health, so a healthy API is the
/// premise of every test here; the API's own endpoints are tested in process in Api.Tests.
/// </summary>
[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class StackStartupTests(StackFixture fixture)
{
    private GpuDevEnvironment Environment => fixture.Environment;

    [Fact]
    public async Task Migration_worker_exits_zero_before_the_api_starts()
    {
        var worker = await Environment.WaitForStateAsync(GpuDevEnvironment.WorkerResource, TimeSpan.FromSeconds(30), KnownResourceStates.Finished, KnownResourceStates.Exited);
        Assert.Equal(0, worker.ExitCode);

        // Ordering proven on the database's own clock: the bootstrap (queues) precedes the worker's run, whose
        // end precedes the first connection of the API and processor (the runtime role's sessions).
        await using var connection = new NpgsqlConnection(await Environment.DatabaseConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT (SELECT created_at FROM pgmq.meta WHERE queue_name = 'gpu_reservations') < (SELECT min(started_at) FROM gpudev_migrations.runs)
               AND (SELECT max(finished_at) FROM gpudev_migrations.runs WHERE status = 'completed')
                   < (SELECT min(backend_start) FROM pg_stat_activity WHERE usename = 'gpudev_runtime')
            """,
            connection);
        Assert.Equal(true, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Services_connect_as_the_runtime_role_and_the_tables_belong_to_the_owner_role()
    {
        await using var connection = new NpgsqlConnection(await Environment.DatabaseConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT (SELECT array_agg(DISTINCT usename::text ORDER BY usename::text) FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND usename <> 'postgres'),
                   (SELECT array_agg(DISTINCT pg_get_userbyid(relowner)::text) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r')
            """,
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        Assert.Equal(["gpudev_runtime"], reader.GetFieldValue<string[]>(0));
        Assert.Equal(["gpudev_owner"], reader.GetFieldValue<string[]>(1));
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
    public async Task Database_resource_connection_string_matches_the_container_form()
    {
        var builder = new NpgsqlConnectionStringBuilder(await Environment.DatabaseConnectionStringAsync());

        // Local mode's server listens on 127.0.0.1 only; Aspire names a container's published port localhost.
        Assert.Equal(GpuDevEnvironment.ContainerMode ? "localhost" : "127.0.0.1", builder.Host);
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
    public void Postgres_mode_is_shown_as_the_one_the_tests_run_in()
    {
        var notifications = Environment.App.ResourceNotifications;
        Assert.True(notifications.TryGetCurrentState(GpuDevEnvironment.ServerResource, out var server));
        var mode = server.Snapshot.Properties.SingleOrDefault(p => p.Name == "gpudev.postgres.mode");
        Assert.NotNull(mode);
        Assert.Equal(GpuDevEnvironment.ModeName, mode.Value?.ToString());
    }
}
