using Xunit;

namespace GpuDev.Tests.Support;

/// <summary>
/// One PostgreSQL server shared by a test collection; see <see cref="PostgresTestServer"/>. xUnit only
/// discovers collection definitions in the test assembly itself, so each test project declares
/// <c>[CollectionDefinition] class … : ICollectionFixture&lt;PostgresServerFixture&gt;</c>.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private PostgresTestServer? _server;

    public PostgresTestServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture has not started.");

    public async Task InitializeAsync() => _server = await PostgresTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
