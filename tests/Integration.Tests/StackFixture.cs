namespace GpuDev.Integration.Tests;

/// <summary>
/// One running stack (the real AppHost) shared by the full-stack tests (starting it takes seconds).
/// Tests that change global state (stop resources, wipe data) start their own <see cref="GpuDevEnvironment"/> instead.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    private GpuDevEnvironment? _environment;

    public GpuDevEnvironment Environment => _environment ?? throw new InvalidOperationException("The environment fixture has not started.");

    public async Task InitializeAsync() => _environment = await GpuDevEnvironment.StartAsync();

    public async Task DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }
}
