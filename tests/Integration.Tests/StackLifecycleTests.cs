using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Npgsql;

namespace GpuDev.Integration.Tests;

/// <summary>Tests that need a stack of their own: restarts, a missing schema, shutdown.</summary>
[Collection(OwnEnvironmentGroup.Name)]
public sealed class StackLifecycleTests
{
    private static readonly TimeSpan ProcessExitTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Second_start_on_the_same_data_keeps_earlier_rows()
    {
        var root = TestDirectories.Create("restart");
        var dataDirectory = Path.Combine(root, "postgres");
        var password = GpuDevEnvironment.NewSecret();
        var username = $"kept_{Guid.NewGuid():N}";
        try
        {
            await using (var first = await GpuDevEnvironment.StartAsync(dataDirectory, password))
            {
                await ExecuteAsync(await first.DatabaseConnectionStringAsync(), "INSERT INTO api_users (username) VALUES (@name)", username);
            }

            await using var second = await GpuDevEnvironment.StartAsync(dataDirectory, password);
            var worker = await second.WaitForStateAsync(GpuDevEnvironment.WorkerResource, TimeSpan.FromSeconds(30), KnownResourceStates.Finished, KnownResourceStates.Exited);
            Assert.Equal(0, worker.ExitCode);
            Assert.Equal(1L, await ScalarAsync(await second.DatabaseConnectionStringAsync(), "SELECT count(*) FROM api_users WHERE username = @name", username));
            Assert.Equal(10L, await ScalarAsync(await second.DatabaseConnectionStringAsync(), "SELECT count(*) FROM gpu_types", username));
        }
        finally
        {
            await GpuDevEnvironment.DeleteDataAsync(dataDirectory);
        }
    }

    [Fact]
    public async Task Reset_switch_starts_over_with_an_empty_database()
    {
        var root = TestDirectories.Create("reset");
        var dataDirectory = Path.Combine(root, "postgres");
        var password = GpuDevEnvironment.NewSecret();
        var username = $"wiped_{Guid.NewGuid():N}";
        try
        {
            await using (var first = await GpuDevEnvironment.StartAsync(dataDirectory, password))
            {
                await ExecuteAsync(await first.DatabaseConnectionStringAsync(), "INSERT INTO api_users (username) VALUES (@name)", username);
            }

            await using var reset = await GpuDevEnvironment.StartAsync(dataDirectory, password, extraArguments: ["--Postgres:ResetData=true"]);
            var connectionString = await reset.DatabaseConnectionStringAsync();
            Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM api_users WHERE username = @name", username));
            Assert.Equal(10L, await ScalarAsync(connectionString, "SELECT count(*) FROM gpu_types", username));
        }
        finally
        {
            await GpuDevEnvironment.DeleteDataAsync(dataDirectory);
        }
    }

    [Fact]
    public async Task Api_against_an_empty_database_exits_nonzero_naming_every_missing_table()
    {
        await using var environment = await GpuDevEnvironment.StartAsync(
            configure: builder =>
            {
                // Leave the schema unapplied: no migration worker, and the API no longer waits for it.
                var worker = builder.Resources.Single(r => r.Name == GpuDevEnvironment.WorkerResource);
                builder.Resources.Remove(worker);
                var api = builder.Resources.Single(r => r.Name == GpuDevEnvironment.ApiResource);
                foreach (var wait in api.Annotations.OfType<WaitAnnotation>().Where(w => w.Resource == worker).ToList())
                {
                    api.Annotations.Remove(wait);
                }

                // The reservation processor waits for the worker too, and would hold the start forever without it.
                builder.Resources.Remove(builder.Resources.Single(r => r.Name == GpuDevEnvironment.ProcessorResource));
            },
            waitForApiHealthy: false);

        var api = await environment.WaitForStateAsync(GpuDevEnvironment.ApiResource, GpuDevEnvironment.StartTimeout, KnownResourceStates.Finished, KnownResourceStates.Exited, KnownResourceStates.FailedToStart);
        var logs = await environment.WaitForLogAsync(GpuDevEnvironment.ApiResource, l => l.Contains("Required tables are missing", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, api.ExitCode);
        var message = logs.First(l => l.Contains("Required tables are missing", StringComparison.Ordinal));
        foreach (var table in new[] { "api_users", "api_keys", "reservations", "disks", "gpu_types" })
        {
            Assert.Contains(table, message, StringComparison.Ordinal);
        }

        Assert.Contains("migration worker", message, StringComparison.OrdinalIgnoreCase);
    }

    [LocalModeFact]
    public async Task No_postgres_process_outlives_the_app()
    {
        var environment = await GpuDevEnvironment.StartAsync();
        var dataDirectory = environment.DataDirectory;
        Assert.NotEmpty(PostgresProcesses.Using(dataDirectory));

        await environment.DisposeAsync();

        var remaining = await PostgresProcesses.WaitUntilNoneUseAsync(dataDirectory, ProcessExitTimeout);
        Assert.Empty(remaining);
    }

    [ContainerModeFact]
    public async Task No_postgres_container_outlives_the_app()
    {
        var environment = await GpuDevEnvironment.StartAsync(configure: GpuDevEnvironment.OnlyTheServer, waitForApiHealthy: false);
        await environment.App.ResourceNotifications.WaitForResourceHealthyAsync(GpuDevEnvironment.ServerResource).WaitAsync(GpuDevEnvironment.StartTimeout);
        Assert.True(environment.App.ResourceNotifications.TryGetCurrentState(GpuDevEnvironment.ServerResource, out var server));
        var containerId = server.Snapshot.Properties.Single(p => p.Name == "container.id").Value?.ToString();
        Assert.False(string.IsNullOrEmpty(containerId));
        Assert.True((await ContainerVolumes.RunAsync("container", "inspect", containerId)).Succeeded);

        await environment.DisposeAsync();

        await Eventually.WaitUntilAsync(
            async () => !(await ContainerVolumes.RunAsync("container", "inspect", containerId)).Succeeded,
            ProcessExitTimeout,
            () => $"container {containerId} to be removed");
    }

    [LocalModeFact]
    public async Task AppHost_without_postgres_binaries_stops_with_what_to_install()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var environment = await GpuDevEnvironment.StartAsync(extraArguments: ["--Postgres:BinDirectory=/nonexistent/postgresql/bin"]);
        });

        var message = error.ToString();
        Assert.Contains("No PostgreSQL server binaries were found", message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/postgresql/bin", message, StringComparison.Ordinal);
        Assert.Contains("apt-get install postgresql", message, StringComparison.Ordinal);
    }

    private static async Task ExecuteAsync(string connectionString, string sql, string name)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new("name", name) } };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql, string name)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new("name", name) } };
        return await command.ExecuteScalarAsync();
    }
}
