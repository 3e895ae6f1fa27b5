using GpuDev.Hosting.PostgreSQL.Pgmq;
using Npgsql;

namespace GpuDev.Pgmq.ContractTests;

/// <summary>
/// The server the contract tests run against. By default a throw-away PostgreSQL server started like the
/// AppHost's local mode (so PGMQ is the server's extension if it has one, otherwise the project's
/// compatible SQL). With <see cref="ConnectionVariable"/> set, an existing server instead, e.g. a
/// container of production's image: the tests then require its pgmq extension, so a server without it
/// fails loudly instead of quietly testing the compatible SQL. Either way every test gets its own
/// database, dropped at the end.
/// </summary>
public sealed class ContractServerFixture : IAsyncLifetime
{
    /// <summary>Connection string of an existing server (a role that may create databases).</summary>
    public const string ConnectionVariable = "PGMQ_CONTRACT_CONNECTION";

    private readonly List<string> _databases = [];
    private PostgresTestServer? _ownServer;
    private string _adminConnectionString = "";
    private int _counter;

    /// <summary>True when the tests run against a server given by <see cref="ConnectionVariable"/>.</summary>
    public bool IsExternal { get; private set; }

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(external))
        {
            _ownServer = await PostgresTestServer.StartAsync();
            _adminConnectionString = _ownServer.AdminConnectionString;
            return;
        }

        IsExternal = true;
        // Tests create and drop databases; pooled idle connections would block DROP DATABASE.
        _adminConnectionString = new NpgsqlConnectionStringBuilder(external) { Pooling = false }.ConnectionString;
    }

    /// <summary>Creates an empty database with a unique name, optionally with PGMQ, and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test", bool withPgmq = false)
    {
        var name = $"pgmq_contract_{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}";
        await AdminAsync($"CREATE DATABASE \"{name}\"");
        lock (_databases)
        {
            _databases.Add(name);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ConnectionString;
        if (withPgmq)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await PgmqInstaller.EnsureAsync(connection, allowCompatibility: !IsExternal);
        }

        return connectionString;
    }

    /// <summary>
    /// Drops a test's database on an existing server as soon as the test is done, so an interrupted run
    /// leaves little behind (a throw-away server is simply deleted at the end).
    /// </summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        lock (_databases)
        {
            if (!IsExternal || !_databases.Remove(name))
            {
                return;
            }
        }

        await AdminAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    public async Task DisposeAsync()
    {
        if (_ownServer is not null)
        {
            await _ownServer.DisposeAsync();
            return;
        }

        foreach (var name in _databases.ToList())
        {
            await DropDatabaseAsync(new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ConnectionString);
        }
    }

    private async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
