namespace GpuDev.Integration.Tests;

/// <summary>
/// A test of local mode itself (data directories, server processes, binaries): skipped when the tests run
/// in container mode (<c>GPUDEV_TEST_POSTGRES_MODE=container</c>); the local-mode run has it.
/// </summary>
public sealed class LocalModeFactAttribute : FactAttribute
{
    public LocalModeFactAttribute()
    {
        if (GpuDevEnvironment.ContainerMode)
        {
            Skip = "local mode only: runs in the local-mode run of these tests";
        }
    }
}

/// <summary>A test of container mode itself (volumes, images, the runtime): runs only in container mode.</summary>
public sealed class ContainerModeFactAttribute : FactAttribute
{
    public ContainerModeFactAttribute()
    {
        if (!GpuDevEnvironment.ContainerMode)
        {
            Skip = $"container mode only: run with {GpuDevEnvironment.ModeVariable}=container (see eng/container-test-image)";
        }
    }
}
