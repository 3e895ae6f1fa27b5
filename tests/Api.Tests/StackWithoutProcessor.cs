using System.Runtime.CompilerServices;

namespace GpuDev.Api.Tests;

/// <summary>
/// The API tests assert what the API writes, including the messages it leaves on the queues; a running
/// reservation processor would consume them while a test looks. The AppHost (which runs in this test process)
/// reads this setting from the environment and leaves the processor out of these tests' stacks.
/// </summary>
internal static class StackWithoutProcessor
{
    [ModuleInitializer]
    internal static void Configure() => Environment.SetEnvironmentVariable("ReservationProcessor__Enabled", "false");
}
