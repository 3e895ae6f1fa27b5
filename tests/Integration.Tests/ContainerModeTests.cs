using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using GpuDev.AppHost.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GpuDev.Integration.Tests;

/// <summary>
/// Container mode on a real container runtime (GPUDEV_TEST_POSTGRES_MODE=container; eng/container-test-image
/// sets up Podman and the image): the developer's own data is never touched by tests, and each failure a
/// user can cause is one line on the AppHost console and in the postgres resource's log, naming the fix.
/// </summary>
[Collection(OwnEnvironmentGroup.Name)]
public sealed class ContainerModeTests
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(60);

    [ContainerModeFact]
    public async Task A_dotnet_run_volume_keeps_its_data_across_test_stacks()
    {
        // The mark: a database of its own, so that nothing of the developer's is changed, and removed at the end.
        var marker = $"gpudev_test_mark_{Guid.NewGuid():N}";
        string developerVolume;

        // `dotnet run --project AppHost` in container mode: the AppHost's own volume and its user-secrets password.
        await using (var before = await StartServerAsync(likeDotnetRun: true))
        {
            developerVolume = Property(before, "gpudev.postgres.volume");
            await ExecuteAsync(await ServerConnectionStringAsync(before), $"CREATE DATABASE {marker}");
        }

        // A test stack, as every other container-mode test starts one: a volume and a password of its own.
        await using (var test = await StartServerAsync(likeDotnetRun: false))
        {
            Assert.NotEqual(developerVolume, Property(test, "gpudev.postgres.volume"));
            Assert.Equal(0L, await ScalarAsync(await ServerConnectionStringAsync(test), "SELECT count(*) FROM pg_database WHERE datname = @name", marker));
        }

        await using var after = await StartServerAsync(likeDotnetRun: true);
        Assert.Equal(developerVolume, Property(after, "gpudev.postgres.volume"));
        var connectionString = await ServerConnectionStringAsync(after);
        Assert.Equal(1L, await ScalarAsync(connectionString, "SELECT count(*) FROM pg_database WHERE datname = @name", marker));
        await ExecuteAsync(connectionString, $"DROP DATABASE {marker}");

        static async Task<GpuDevEnvironment> StartServerAsync(bool likeDotnetRun)
        {
            var environment = await GpuDevEnvironment.StartAsync(configure: GpuDevEnvironment.OnlyTheServer, waitForApiHealthy: false, likeDotnetRun: likeDotnetRun);
            await environment.App.ResourceNotifications.WaitForResourceHealthyAsync(GpuDevEnvironment.ServerResource).WaitAsync(GpuDevEnvironment.StartTimeout);
            return environment;
        }
    }

    [ContainerModeFact]
    public async Task A_missing_image_gets_one_line_naming_the_fix()
    {
        var console = new CollectingLoggerProvider();
        var tag = $"missing-{Guid.NewGuid():N}";
        await using var environment = await GpuDevEnvironment.StartAsync(
            configure: builder => builder.Services.AddSingleton<ILoggerProvider>(console),
            waitForApiHealthy: false,
            extraArguments: [$"--Postgres:ContainerTag={tag}"]);

        var log = await environment.WaitForLogAsync(GpuDevEnvironment.ServerResource, IsImageLine, LineTimeout);

        var line = Assert.Single(log, IsImageLine);
        Assert.Contains($":{tag}", line, StringComparison.Ordinal);
        Assert.Contains("eng/container-test-image", line, StringComparison.Ordinal);
        Assert.Contains("--Postgres:Mode local", line, StringComparison.Ordinal);
        Assert.Single(console.AppHostLines, IsImageLine);

        static bool IsImageLine(string line) => line.Contains("is not on this machine", StringComparison.Ordinal);
    }

    [ContainerModeFact]
    public async Task A_runtime_that_is_not_running_gets_one_line_naming_the_fix()
    {
        // Docker installed, its engine stopped (Docker Desktop not started): the CLI answers, the engine does not.
        var bin = TestDirectories.Create("docker-stopped");
        var docker = Path.Combine(bin, "docker");
        await File.WriteAllTextAsync(docker, """
            #!/bin/sh
            [ "$1" = --version ] && { echo "Docker version 28.0.0, build test"; exit 0; }
            echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
            exit 1
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(docker, (UnixFileMode)0b111_101_101);
        }

        var path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", $"{bin}:{path}");
        try
        {
            var console = new CollectingLoggerProvider();

            // Aspire then stops the AppHost with its own error ("... appears to be unhealthy"): it does not
            // hang, and with it goes the dashboard, so the console is where the line must be.
            var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await using var environment = await GpuDevEnvironment.StartAsync(
                    configure: builder => builder.Services.AddSingleton<ILoggerProvider>(console),
                    waitForApiHealthy: false,
                    extraArguments: ["--ASPIRE_CONTAINER_RUNTIME=docker"]);
            });

            var line = Assert.Single(console.AppHostLines, IsRuntimeLine);
            Assert.Contains("Is the docker daemon running?", line, StringComparison.Ordinal);
            Assert.Contains("start it", line, StringComparison.Ordinal);
            Assert.Contains("--Postgres:Mode local", line, StringComparison.Ordinal);
            Assert.Contains("unhealthy", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
            TestDirectories.Delete(bin);
        }

        static bool IsRuntimeLine(string line) => line.Contains("the container runtime 'docker' is installed, but its engine does not answer", StringComparison.Ordinal);
    }

    [ContainerModeFact]
    public async Task A_volume_made_with_another_password_gets_one_line_naming_the_fix_and_keeps_its_data()
    {
        var dataDirectory = Path.Combine(TestDirectories.Create("volume-password"), "postgres");
        var volume = GpuDevEnvironment.VolumeFor(dataDirectory);
        try
        {
            // An earlier run initialised the volume with another password.
            await using (var earlier = await GpuDevEnvironment.StartAsync(dataDirectory, GpuDevEnvironment.NewSecret(), configure: GpuDevEnvironment.OnlyTheServer, waitForApiHealthy: false))
            {
                await earlier.App.ResourceNotifications.WaitForResourceHealthyAsync(GpuDevEnvironment.ServerResource).WaitAsync(GpuDevEnvironment.StartTimeout);
            }

            var console = new CollectingLoggerProvider();
            var started = Stopwatch.StartNew();
            await using (var environment = await GpuDevEnvironment.StartAsync(
                dataDirectory,
                GpuDevEnvironment.NewSecret(),
                configure: builder =>
                {
                    builder.Services.AddSingleton<ILoggerProvider>(console);
                    GpuDevEnvironment.OnlyTheServer(builder);
                },
                waitForApiHealthy: false))
            {
                var log = await environment.WaitForLogAsync(GpuDevEnvironment.ServerResource, IsPasswordLine, LineTimeout);
                Assert.True(started.Elapsed < LineTimeout, $"took {started.Elapsed}");
                var line = Assert.Single(log, IsPasswordLine);
                Assert.Contains(volume, line, StringComparison.Ordinal);
                Assert.Contains("--Postgres:ResetData true", line, StringComparison.Ordinal);
                Assert.Contains("Parameters:postgres-password", line, StringComparison.Ordinal);
                Assert.Single(console.AppHostLines, IsPasswordLine);
            }

            Assert.True(await ContainerVolumes.ExistsAsync(volume), "the volume (the data) must be kept");
        }
        finally
        {
            await GpuDevEnvironment.DeleteDataAsync(dataDirectory);
        }

        static bool IsPasswordLine(string line) => line.Contains("28P01", StringComparison.Ordinal);
    }

    [ContainerModeFact]
    public void Auto_mode_and_the_tests_use_the_runtime_the_orchestrator_uses()
    {
        var configured = ContainerRuntimeProbe.ConfiguredRuntime(new ConfigurationBuilder().AddEnvironmentVariables().Build());
        var runtime = ContainerVolumes.RuntimeAsync().GetAwaiter().GetResult();

        Assert.Equal(configured ?? runtime, runtime);
        Assert.Contains(runtime, ContainerRuntimeProbe.KnownRuntimes);
    }

    private static async Task<string> ServerConnectionStringAsync(GpuDevEnvironment environment) =>
        new NpgsqlConnectionStringBuilder(await environment.App.GetConnectionStringAsync(GpuDevEnvironment.ServerResource)) { Database = "postgres", Pooling = false }.ConnectionString;

    private static string Property(GpuDevEnvironment environment, string name)
    {
        Assert.True(environment.App.ResourceNotifications.TryGetCurrentState(GpuDevEnvironment.ServerResource, out var server));
        return server.Snapshot.Properties.Single(p => p.Name == name).Value?.ToString() ?? "";
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
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
