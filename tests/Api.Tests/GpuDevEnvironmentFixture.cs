namespace GpuDev.Api.Tests;

/// <summary>One in-process API over one migrated PostgreSQL server, shared by every API test; tests use their own users.</summary>
public sealed class GpuDevEnvironmentFixture : IAsyncLifetime
{
    private ApiEnvironment? _environment;

    public ApiEnvironment Environment => _environment ?? throw new InvalidOperationException("The API environment has not started.");

    public async Task InitializeAsync() => _environment = await ApiEnvironment.StartAsync();

    public async Task DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }
}
