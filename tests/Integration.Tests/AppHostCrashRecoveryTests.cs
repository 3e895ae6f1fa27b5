using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace GpuDev.Integration.Tests;

/// <summary>
/// The real AppHost process, signalled as a user or a cluster would: SIGTERM stops it and its
/// PostgreSQL server together; after SIGKILL (no chance to stop anything) the next start on the same
/// data must still come up, with the data intact.
/// </summary>
[Collection(OwnEnvironmentGroup.Name)]
public sealed class AppHostCrashRecoveryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [LocalModeFact]
    public async Task Next_start_after_a_killed_apphost_comes_up_with_the_data_intact()
    {
        var root = TestDirectories.Create("sigkill");
        var dataDirectory = Path.Combine(root, "postgres");
        var password = GpuDevEnvironment.NewSecret();
        var username = $"survivor_{Guid.NewGuid():N}";
        try
        {
            using (var appHost = StartAppHostProcess(dataDirectory, password))
            {
                var port = await WaitForServerPortAsync(dataDirectory, appHost);
                var connectionString = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Password = password, Database = "gpudev", Pooling = false }.ConnectionString;
                await WaitForTableAsync(connectionString, "api_users");
                await using (var connection = new NpgsqlConnection(connectionString))
                {
                    await connection.OpenAsync();
                    await using var insert = new NpgsqlCommand("INSERT INTO api_users (username) VALUES (@name)", connection) { Parameters = { new("name", username) } };
                    await insert.ExecuteNonQueryAsync();
                }

                appHost.Kill(entireProcessTree: false);
                await appHost.WaitForExitAsync();
            }

            await using var next = await GpuDevEnvironment.StartAsync(dataDirectory, password);
            await using var check = new NpgsqlConnection(await next.DatabaseConnectionStringAsync());
            await check.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM api_users WHERE username = @name", check) { Parameters = { new("name", username) } };
            Assert.Equal(1L, await count.ExecuteScalarAsync());
        }
        finally
        {
            foreach (var pid in PostgresProcesses.Using(dataDirectory))
            {
                using var leftover = Process.GetProcessById(pid);
                leftover.Kill();
            }

            TestDirectories.Delete(root);
        }
    }

    [LocalModeFact]
    public async Task Sigterm_stops_the_apphost_and_its_postgres_server_with_it()
    {
        var root = TestDirectories.Create("sigterm");
        var dataDirectory = Path.Combine(root, "postgres");
        var password = GpuDevEnvironment.NewSecret();
        try
        {
            using var appHost = StartAppHostProcess(dataDirectory, password);
            var port = await WaitForServerPortAsync(dataDirectory, appHost);
            var connectionString = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Password = password, Database = "gpudev", Pooling = false }.ConnectionString;
            await WaitForTableAsync(connectionString, "api_users");

            // What `kill` and Kubernetes send; Ctrl+C (SIGINT) takes the same shutdown path in .NET.
            using (var kill = Process.Start("kill", ["-TERM", appHost.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
                Assert.Equal(0, kill.ExitCode);
            }

            using var exitTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await appHost.WaitForExitAsync(exitTimeout.Token);

            // The AppHost stops the server before it exits, so none is left at the moment it is gone.
            Assert.Empty(PostgresProcesses.Using(dataDirectory));
            Assert.False(File.Exists(Path.Combine(dataDirectory, "postmaster.pid")), "postmaster.pid left behind: the server did not shut down cleanly");
        }
        finally
        {
            foreach (var pid in PostgresProcesses.Using(dataDirectory))
            {
                using var leftover = Process.GetProcessById(pid);
                leftover.Kill();
            }

            TestDirectories.Delete(root);
        }
    }

    /// <summary>The AppHost binary itself (not `dotnet run`), so SIGKILL hits the AppHost and nothing else.</summary>
    private static Process StartAppHostProcess(string dataDirectory, string password)
    {
        var appHostDll = Path.Combine(AppContext.BaseDirectory, "GpuDev.AppHost.dll");
        var startInfo = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.Combine(RepositoryFiles.Root, "AppHost") };
        foreach (var argument in new[] { appHostDll, "--Postgres:Mode=local", $"--Postgres:DataDirectory={dataDirectory}", $"--Parameters:postgres-password={password}", $"--Parameters:admin-token={password}" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        // What the AppHost's http launch profile sets, on ports of its own so it never meets a running stack.
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Development";
        startInfo.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        startInfo.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        startInfo.Environment["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = "http://127.0.0.1:0";
        startInfo.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = "http://127.0.0.1:0";
        startInfo.Environment["DcpPublisher__RandomizePorts"] = "true";
        var process = Process.Start(startInfo)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<int> WaitForServerPortAsync(string dataDirectory, Process appHost)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Timeout && !appHost.HasExited)
        {
            foreach (var pid in PostgresProcesses.Using(dataDirectory))
            {
                string[] arguments;
                try
                {
                    arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
                }
                catch (IOException)
                {
                    // A short-lived process (initdb's bootstrap backend) ended while we looked.
                    continue;
                }

                var index = Array.IndexOf(arguments, "-p");
                if (index >= 0 && index + 1 < arguments.Length)
                {
                    return int.Parse(arguments[index + 1], CultureInfo.InvariantCulture);
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No PostgreSQL server started on {dataDirectory} (AppHost exited: {appHost.HasExited}).");
    }

    private static Task WaitForTableAsync(string connectionString, string table) =>
        Eventually.WaitUntilAsync(() => TableExistsAsync(connectionString, table), Timeout, () => $"table {table} to appear");

    private static async Task<bool> TableExistsAsync(string connectionString, string table)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection) { Parameters = { new("table", table) } };
            return await command.ExecuteScalarAsync() is true;
        }
        catch (NpgsqlException)
        {
            // Server still starting or database not created yet.
            return false;
        }
    }
}
