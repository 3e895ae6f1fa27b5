using System.ComponentModel;
using System.Diagnostics;

namespace GpuDev.ReservationProcessor.Hosting;

/// <summary>
/// The processor is background work: it polls its queues, and a reservation waits in a queue anyway. Locally the
/// whole stack shares one machine's cores, and the processor starts at the same moment as the API (both wait only
/// for the migration worker): at below-normal priority the API's start, and later its requests, get the CPU first,
/// while idle cores still run the processor at full speed. In a cluster each pod has its own CPU share, where this
/// changes nothing.
/// </summary>
public static class BackgroundPriority
{
    public static void Apply()
    {
        try
        {
            using var self = Process.GetCurrentProcess();
            self.PriorityClass = ProcessPriorityClass.BelowNormal;
        }
        catch (Exception ex) when (ex is Win32Exception or PlatformNotSupportedException)
        {
            // A platform that refuses it runs the processor at normal priority: slower stack start-up, same behaviour.
        }
    }
}
