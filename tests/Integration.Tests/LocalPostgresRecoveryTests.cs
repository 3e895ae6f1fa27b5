using System.Diagnostics;
using GpuDev.Hosting.PostgreSQL;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GpuDev.Integration.Tests;

/// <summary>
/// What the AppHost does before starting the local server, against a real server: an AppHost killed
/// outright (SIGKILL) leaves a running server or a stale postmaster.pid, and the next start copes.
/// </summary>
public sealed class LocalPostgresRecoveryTests
{
    [LocalModeFact]
    public async Task Prepare_stops_a_server_left_running_on_the_data_directory_and_keeps_its_data()
    {
        await using var server = await PostgresTestServer.StartAsync();
        await server.CreateDatabaseAsync("kept");
        var leftover = PostgresProcesses.Using(server.DataDirectory.Path);
        Assert.NotEmpty(leftover);

        var directory = new PostgresDataDirectory(server.DataDirectory.Path, server.Installation, ServerOsUser.ForCurrentProcess());
        await directory.PrepareAsync(server.Password, NullLogger.Instance, CancellationToken.None);

        Assert.Empty(await PostgresProcesses.WaitUntilNoneUseAsync(server.DataDirectory.Path, TimeSpan.FromSeconds(30)));
        Assert.True(directory.IsInitialized);
        Assert.Contains("kept_", await DatabasesAfterRestartAsync(server), StringComparison.Ordinal);
    }

    [LocalModeFact]
    public async Task Prepare_removes_a_stale_pid_file_whose_process_is_gone()
    {
        await using var server = await PostgresTestServer.StartAsync();
        await server.DataDirectory.StopServerAsync(CancellationToken.None);
        var pidFile = Path.Combine(server.DataDirectory.Path, "postmaster.pid");
        await File.WriteAllTextAsync(pidFile, $"{DeadPid()}\n{server.DataDirectory.Path}\n");

        var directory = new PostgresDataDirectory(server.DataDirectory.Path, server.Installation, ServerOsUser.ForCurrentProcess());
        await directory.PrepareAsync(server.Password, NullLogger.Instance, CancellationToken.None);

        Assert.False(File.Exists(pidFile));
        Assert.True(directory.IsInitialized);
    }

    [LocalModeFact]
    public async Task Prepare_refuses_a_non_empty_directory_that_is_not_a_data_directory_and_deletes_nothing()
    {
        var root = TestDirectories.Create("notdata");
        try
        {
            var path = Path.Combine(root, "data");
            Directory.CreateDirectory(path);
            var precious = Path.Combine(path, "notes.txt");
            await File.WriteAllTextAsync(precious, "keep me");
            var (installation, _) = await PostgresInstallation.FindAsync(null);

            var directory = new PostgresDataDirectory(path, installation!, ServerOsUser.ForCurrentProcess());
            var error = await Assert.ThrowsAsync<LocalPostgresException>(() => directory.PrepareAsync("pw", NullLogger.Instance, CancellationToken.None));

            Assert.Contains("PG_VERSION", error.Message, StringComparison.Ordinal);
            Assert.Equal("keep me", await File.ReadAllTextAsync(precious));
        }
        finally
        {
            TestDirectories.Delete(root);
        }
    }

    [LocalModeFact]
    public async Task Installation_lookup_reports_a_wrong_bin_directory_with_what_was_searched()
    {
        var (installation, searched) = await PostgresInstallation.FindAsync("/nonexistent/pg/bin");

        Assert.Null(installation);
        var message = PostgresInstallation.NotFoundMessage(searched);
        Assert.Contains("/nonexistent/pg/bin", message, StringComparison.Ordinal);
        Assert.Contains("apt-get install postgresql", message, StringComparison.Ordinal);
    }

    [LocalModeFact]
    public async Task Installation_lookup_finds_the_machine_binaries()
    {
        var (installation, _) = await PostgresInstallation.FindAsync(null);

        Assert.NotNull(installation);
        Assert.True(File.Exists(installation.Tool("postgres")));
        Assert.True(installation.MajorVersion >= 13);
    }

    /// <summary>Starts the server again on the same directory (as the next AppHost run would) and lists its databases.</summary>
    private static async Task<string> DatabasesAfterRestartAsync(PostgresTestServer server)
    {
        var osUser = ServerOsUser.ForCurrentProcess();
        var (fileName, arguments) = PostgresServerCommand.Build(server.Installation, osUser, server.DataDirectory.Path, server.Port);
        var startInfo = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(server.AdminConnectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT string_agg(datname, ',') FROM pg_database", connection);
                return (string)(await command.ExecuteScalarAsync())!;
            }
            catch (NpgsqlException) when (clock.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    private static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
