using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace GpuDev.Integration.Tests;

/// <summary>
/// The dashboard's commands for this stack, run the way the dashboard runs them (Aspire's
/// <see cref="ResourceCommandService"/>), on a stack of their own (they drop data and restart resources).
/// Each test leaves the stack migrated and running, so they share it in any order.
/// </summary>
[Collection(OwnEnvironmentGroup.Name)]
public sealed class ResourceCommandTests(StackFixture fixture) : IClassFixture<StackFixture>
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly GpuDevEnvironment _environment = fixture.Environment;

    [Fact]
    public void Reset_database_asks_for_confirmation_first()
    {
        var command = _environment.App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .Single(r => r.Name == GpuDevEnvironment.DatabaseResource)
            .Annotations.OfType<ResourceCommandAnnotation>().Single(c => c.Name == ResetDatabaseCommand.Name);

        Assert.Contains("Delete everything", command.ConfirmationMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_database_deletes_the_data_applies_the_schema_again_and_brings_the_api_back()
    {
        var username = $"reset_{Guid.NewGuid():N}";
        await ExecuteAsync("INSERT INTO api_users (username) VALUES (@value)", username);

        var result = await RunCommandAsync(GpuDevEnvironment.DatabaseResource, ResetDatabaseCommand.Name);

        Assert.True(result.Success, result.Message);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM api_users WHERE username = @value", username));
        Assert.Equal(10L, await ScalarAsync("SELECT count(*) FROM gpu_types WHERE gpu_type <> @value", username));
        // The API was stopped for the reset and started again: healthy, with its queues recreated.
        using var healthy = new CancellationTokenSource(CommandTimeout);
        await _environment.App.ResourceNotifications.WaitForResourceHealthyAsync(GpuDevEnvironment.ApiResource, healthy.Token);
        using var client = _environment.CreateApiClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM pgmq.meta WHERE queue_name = @value", "gpu_reservations"));
    }

    [Fact]
    public async Task Rerun_migrations_applies_the_fixtures_again_and_reports_success()
    {
        var before = DateTime.UtcNow;
        await ExecuteAsync("UPDATE gpu_types SET max_gpus = 1 WHERE gpu_type = @value", "a100");

        var result = await RunCommandAsync(GpuDevEnvironment.WorkerResource, RerunMigrationsCommand.Name);

        Assert.True(result.Success, result.Message);
        Assert.Equal(8, await ScalarAsync("SELECT max_gpus FROM gpu_types WHERE gpu_type = @value", "a100"));
        var worker = await _environment.WaitForStateAsync(GpuDevEnvironment.WorkerResource, CommandTimeout, KnownResourceStates.Finished, KnownResourceStates.Exited);
        Assert.Equal(0, worker.ExitCode);
        Assert.True(worker.StartTimeStamp > before, "the worker did not run again");
    }

    [Fact]
    public async Task Api_lists_a_link_to_its_interactive_documentation_that_answers()
    {
        _environment.App.ResourceNotifications.TryGetCurrentState(GpuDevEnvironment.ApiResource, out var api);
        var link = Assert.Single(api!.Snapshot.Urls, u => u.Url.EndsWith(ApiReferenceUrlExtensions.ApiReferencePath, StringComparison.Ordinal));

        using var client = new HttpClient();
        var response = await client.GetAsync(new Uri(link.Url));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<ExecuteCommandResult> RunCommandAsync(string resource, string command)
    {
        using var timeout = new CancellationTokenSource(CommandTimeout);
        return await _environment.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, command, timeout.Token);
    }

    // Unpooled: the reset ends every session on the database, and a pooled one would fail on its next use.
    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(await _environment.DatabaseConnectionStringAsync()) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private async Task ExecuteAsync(string sql, string value)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new("value", value) } };
        await command.ExecuteNonQueryAsync();
    }

    private async Task<object?> ScalarAsync(string sql, string value)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new("value", value) } };
        return await command.ExecuteScalarAsync();
    }
}
