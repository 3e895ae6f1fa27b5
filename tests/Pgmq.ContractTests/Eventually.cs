using System.Diagnostics;

namespace GpuDev.Pgmq.ContractTests;

/// <summary>Polls a probe until its result satisfies a condition or a deadline passes (instead of sleeping).</summary>
public static class Eventually
{
    public static async Task<T> ResultAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string waitingFor)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var result = await probe();
            if (done(result))
            {
                return result;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Gave up after {timeout.TotalSeconds:0.#} s waiting for {waitingFor}.");
            }

            await Task.Delay(50);
        }
    }
}
