using System.Security.Cryptography;
using CliWrap;
using CliWrap.Buffered;
using GpuDev.Database;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace GpuDev.Api.Tests;

/// <summary>
/// The API in this process (<see cref="WebApplicationFactory{TEntryPoint}"/> on real Kestrel) over one
/// real PostgreSQL server whose database the real migration worker has migrated, as the AppHost
/// would have it, without the AppHost. The API starts as it does in production: it verifies the
/// schema and the queues before it serves, connected as the runtime role.
/// </summary>
public sealed class ApiEnvironment : IAsyncDisposable
{
    private readonly PostgresTestServer _server;
    private readonly WebApplicationFactory<Program> _factory;
    private readonly string _databaseConnectionString;
    private readonly string _apiConnectionString;

    private ApiEnvironment(PostgresTestServer server, WebApplicationFactory<Program> factory, string databaseConnectionString, string apiConnectionString, string adminToken)
    {
        _server = server;
        _factory = factory;
        _databaseConnectionString = databaseConnectionString;
        _apiConnectionString = apiConnectionString;
        AdminToken = adminToken;
    }

    /// <summary>The user <c>POST /v1/auth/aws-login</c> signs in (<c>LOCAL_DEV_USER</c>, the AppHost's default).</summary>
    public const string LocalDevUser = "localdev";

    /// <summary>The admin token the API was given (<c>Admin:Token</c>).</summary>
    public string AdminToken { get; }

    public static async Task<ApiEnvironment> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = await PostgresTestServer.StartAsync(cancellationToken);
        try
        {
            var connectionString = await server.CreateDatabaseAsync(DatabaseNames.Database, withPgmq: true, cancellationToken);
            // As the AppHost runs it: the bootstrap as the superuser, migrations as the owner, the API as the runtime role.
            await server.BootstrapAsync(connectionString, cancellationToken);
            await MigrateAsync(server.RoleConnectionString(connectionString, DatabaseRoles.Owner), cancellationToken);

            var adminToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            // The API's own pool (and multiplexing, which needs one); the test server's strings turn pooling off.
            var apiConnectionString = new NpgsqlConnectionStringBuilder(server.RoleConnectionString(connectionString, DatabaseRoles.Runtime)) { Pooling = true }.ConnectionString;
            var factory = StartApi(apiConnectionString, adminToken, new Dictionary<string, string?>
            {
                // Every test sends from 127.0.0.1, many with wrong keys on purpose: the shared API's budgets are
                // far above the defaults, which SecurityTests prove on APIs of their own (StartVariant).
                ["RateLimiting:FailedAuthentication:PermitLimit"] = "1000000",
                ["RateLimiting:Admin:PermitLimit"] = "1000000",
            });
            return new ApiEnvironment(server, factory, connectionString, apiConnectionString, adminToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public HttpClient CreateApiClient() => _factory.CreateClient();

    /// <summary>
    /// A second API over the same database, started with this environment's settings except the shared API's
    /// raised rate limits, plus <paramref name="settings"/> (a null value removes the admin token). The caller disposes it.
    /// </summary>
    public WebApplicationFactory<Program> StartVariant(IReadOnlyDictionary<string, string?> settings) =>
        StartApi(_apiConnectionString, AdminToken, settings);

    private static WebApplicationFactory<Program> StartApi(string apiConnectionString, string adminToken, IReadOnlyDictionary<string, string?> settings)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            // Real Kestrel on a port of its own (several APIs run at once).
            host.UseSetting("urls", "http://127.0.0.1:0")
                .UseSetting($"ConnectionStrings:{DatabaseNames.Database}", apiConnectionString)
                .UseSetting("Admin:Token", adminToken)
                // As the AppHost runs it locally: production's local sign-in for this one user.
                .UseSetting("LOCAL_DEV_USER", LocalDevUser);
            foreach (var (name, value) in settings)
            {
                host.UseSetting(name, value);
            }
        });
        factory.UseKestrel(0);
        factory.StartServer();
        return factory;
    }

    /// <summary>What the PostgreSQL server has logged so far.</summary>
    public string PostgresLog => _server.Log;

    public Task<string> DatabaseConnectionStringAsync(CancellationToken cancellationToken = default) => Task.FromResult(_databaseConnectionString);

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _server.DisposeAsync();
    }

    // The built worker, as the AppHost runs it before the API: schema, then fixtures.
    private static async Task MigrateAsync(string connectionString, CancellationToken cancellationToken)
    {
        var result = await Cli.Wrap("dotnet")
            .WithArguments([RepositoryFiles.MigrationWorkerDll, "--connection", connectionString, "--path", RepositoryFiles.DatabaseDirectory])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The migration worker exited {result.ExitCode}; the API tests need a migrated database.\n{result.StandardOutput}{result.StandardError}");
        }
    }
}
