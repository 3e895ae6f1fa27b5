using System.Diagnostics;

namespace GpuDev.Tests.Support;

/// <summary>
/// Polls a condition until it holds or a deadline passes: synchronisation on state, never on time.
/// The one polling helper of the test projects.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(describe);
        await ResultAsync(condition, done => done, timeout, describe);
    }

    /// <summary>Runs <paramref name="probe"/> until <paramref name="done"/> accepts its result, and returns that result.</summary>
    public static async Task<T> ResultAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, Func<string> describe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        ArgumentNullException.ThrowIfNull(describe);
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var result = await probe();
            if (done(result))
            {
                return result;
            }

            if (elapsed.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {describe()}");
            }

            await Task.Delay(PollInterval);
        }
    }
}
