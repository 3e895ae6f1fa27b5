using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GpuDev.Database;
using GpuDev.Hosting.PostgreSQL;
using GpuDev.Hosting.PostgreSQL.Pgmq;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GpuDev.Tests.Support;

/// <summary>
/// A real PostgreSQL server for tests, found and started exactly as the AppHost's local mode does
/// (same binaries resolution, so production's major version; same initdb, same OS-user switch), in a throw-away data directory.
/// Each test asks for its own database, so tests stay independent while sharing one server.
/// </summary>
public sealed class PostgresTestServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _root;
    private readonly ConcurrentQueue<string> _log;
    private readonly SemaphoreSlim _bootstrapLock = new(1, 1);
    private int _databaseCounter;

    private PostgresTestServer(Process process, string root, PostgresInstallation installation, PostgresDataDirectory dataDirectory, int port, string password, ConcurrentQueue<string> log)
    {
        _process = process;
        _log = log;
        _root = root;
        Installation = installation;
        DataDirectory = dataDirectory;
        Port = port;
        Password = password;
    }

    public PostgresInstallation Installation { get; }

    public PostgresDataDirectory DataDirectory { get; }

    public int Port { get; }

    public string Password { get; }

    /// <summary>The password <see cref="BootstrapAsync"/> gives <see cref="DatabaseRoles.Owner"/> (roles are server-wide).</summary>
    public string OwnerPassword { get; } = GpuDevEnvironment.NewSecret();

    /// <summary>The password <see cref="BootstrapAsync"/> gives <see cref="DatabaseRoles.Runtime"/>.</summary>
    public string RuntimePassword { get; } = GpuDevEnvironment.NewSecret();

    /// <summary>Everything the server has logged so far (its standard error), e.g. to prove a value never reached it.</summary>
    public string Log => string.Join('\n', _log);

    /// <summary>Connection string of the server's maintenance database (<c>postgres</c>).</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = PostgresDataDirectory.SuperUser,
        Password = Password,
        Database = database,
        // Tests create and drop many databases; pooled idle connections would block DROP DATABASE.
        Pooling = false,
    }.ConnectionString;

    public static Task<PostgresTestServer> StartAsync(CancellationToken cancellationToken = default) => StartAsync(binDirectory: null, cancellationToken);

    /// <param name="binDirectory">Binaries to run instead of the AppHost's choice (e.g. a scratch copy of the installation, or the machine's older server).</param>
    public static async Task<PostgresTestServer> StartAsync(string? binDirectory, CancellationToken cancellationToken = default)
    {
        // The AppHost's resolution: Postgres__BinDirectory, else the pinned PostgreSQL 18 package, else the machine's.
        var options = PostgresResolutionOptions.FromEnvironment();
        var resolution = await PostgresBinaryResolver.ResolveAsync(options with { BinDirectory = binDirectory ?? options.BinDirectory }, cancellationToken);
        var installation = resolution.Installation ?? throw new InvalidOperationException(resolution.NotFoundMessage);
        await installation.EnsureAvailableAsync(NullLogger.Instance, cancellationToken);

        var root = TestDirectories.Create("pg");
        var osUser = ServerOsUser.ForCurrentProcess();
        var dataDirectory = new PostgresDataDirectory(Path.Combine(root, "data"), installation, osUser);
        var password = GpuDevEnvironment.NewSecret();
        await dataDirectory.PrepareAsync(password, NullLogger.Instance, cancellationToken);

        var port = FreeTcpPort();
        var (fileName, arguments) = PostgresServerCommand.Build(installation, osUser, dataDirectory.Path, port);
        var startInfo = new ProcessStartInfo(fileName) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName}");
        var log = new ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                log.Enqueue(line.Data);
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var server = new PostgresTestServer(process, root, installation, dataDirectory, port, password, log);
        await server.WaitUntilAcceptingConnectionsAsync(TimeSpan.FromSeconds(60), cancellationToken);
        return server;
    }

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test", bool withPgmq = false, CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databaseCounter)}";
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var connectionString = ConnectionString(name);
        if (withPgmq)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await PgmqInstaller.EnsureAsync(connection, allowCompatibility: true, cancellationToken);
        }

        return connectionString;
    }

    /// <summary>
    /// Runs the database bootstrap in the database (PGMQ must be installed: <c>withPgmq</c>), as the AppHost does
    /// when its database is ready: the roles, their grants, the queues.
    /// </summary>
    public async Task BootstrapAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        // Roles are server-wide: two databases bootstrapped at once would update the same role rows.
        await _bootstrapLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await PostgresBootstrap.RunAsync(connection, DatabaseBootstrap.Script, new Dictionary<string, string>
            {
                [DatabaseRoles.OwnerPasswordSetting] = OwnerPassword,
                [DatabaseRoles.RuntimePasswordSetting] = RuntimePassword,
            }, cancellationToken);
        }
        finally
        {
            _bootstrapLock.Release();
        }
    }

    /// <summary>The database of <paramref name="connectionString"/> reached as <paramref name="role"/> (one of <see cref="DatabaseRoles"/>).</summary>
    public string RoleConnectionString(string connectionString, string role) => new NpgsqlConnectionStringBuilder(connectionString)
    {
        Username = role,
        Password = role == DatabaseRoles.Owner ? OwnerPassword : role == DatabaseRoles.Runtime ? RuntimePassword
            : throw new ArgumentException($"'{role}' is not one of the database roles.", nameof(role)),
    }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await DataDirectory.StopServerAsync(CancellationToken.None);
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
            _bootstrapLock.Dispose();
            TestDirectories.Delete(_root);
        }
    }

    private async Task WaitUntilAcceptingConnectionsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"PostgreSQL exited with code {_process.ExitCode} during start-up (data directory {DataDirectory.Path}).");
            }

            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException) when (deadline.Elapsed < timeout)
            {
                // The server is still starting: poll again shortly.
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
