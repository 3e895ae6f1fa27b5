namespace GpuDev.ReservationProcessor.Tests;

/// <summary>Each test: its own database on the shared server, and one processor on it (started on first use).</summary>
public abstract class ProcessorTest(PostgresServerFixture fixture) : IAsyncLifetime
{
    private readonly List<ProcessorHost> _hosts = [];

    protected ProcessorDatabase Database { get; private set; } = null!;

    protected PostgresServerFixture Fixture => fixture;

    public async Task InitializeAsync() => Database = await ProcessorDatabase.CreateAsync(fixture.Server);

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    protected async Task<ProcessorHost> StartProcessorAsync(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var host = await ProcessorHost.StartAsync(Database.RuntimeConnectionString, overrides);
        _hosts.Add(host);
        return host;
    }

    protected Task<long> QueueLengthAsync(string queue) => Database.CountAsync($"SELECT count(*) FROM pgmq.q_{queue}");

    protected Task<long> ArchiveLengthAsync(string queue) => Database.CountAsync($"SELECT count(*) FROM pgmq.a_{queue}");
}
