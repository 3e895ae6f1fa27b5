namespace GpuDev.Pgmq.ContractTests;

/// <summary>
/// Base of every contract test: a fresh database with PGMQ (the server's extension if it has one,
/// otherwise the project's compatible SQL; see <see cref="ContractServerFixture"/>) and a client on it.
/// Tests therefore never see each other's queues, whatever order they run in.
/// </summary>
[Collection(PostgresServerGroup.Name)]
public abstract class PgmqContractTest(ContractServerFixture fixture) : IAsyncLifetime
{
    private readonly List<PgmqClient> _clients = [];
    private PgmqClient? _pgmq;

    protected string ConnectionString { get; private set; } = "";

    /// <summary>A client on this test's database.</summary>
    protected PgmqClient Pgmq => _pgmq ?? throw new InvalidOperationException("The test database is not ready yet.");

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await fixture.CreateDatabaseAsync("pgmq", withPgmq: true);
        _pgmq = await ConnectAsync();
    }

    /// <summary>Another client on its own connection (another session, as another process would have).</summary>
    protected async Task<PgmqClient> ConnectAsync()
    {
        var client = await PgmqClient.ConnectAsync(ConnectionString);
        _clients.Add(client);
        return client;
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await fixture.DropDatabaseAsync(ConnectionString);
    }
}
