using System.Diagnostics;

namespace GpuDev.MigrationWorker.Tests;

/// <summary>Polls a condition until it holds or a deadline passes: synchronisation on state, never on time.</summary>
public static class Eventually
{
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var elapsed = Stopwatch.StartNew();
        while (!await condition())
        {
            if (elapsed.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {describe()}");
            }

            await Task.Delay(50);
        }
    }
}
