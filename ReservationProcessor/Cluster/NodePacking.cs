namespace GpuDev.ReservationProcessor.Cluster;

/// <summary>
/// Places GPU requests on a GPU type's simulated nodes: each request (one pod) needs all its GPUs on one node.
/// Allocations are re-packed largest first on every decision; the simulation keeps no node assignment.
/// CPU requests (0 GPUs) always fit, as in production, whose availability check compares 0 with 0.
/// </summary>
public sealed class NodePacking
{
    private readonly int[] _free;

    private NodePacking(int[] free) => _free = free;

    public int FreeGpus => _free.Sum();

    public static NodePacking From(GpuTypeCapacity capacity, IEnumerable<int> allocated)
    {
        var packing = new NodePacking([.. capacity.Nodes]);
        foreach (var gpus in allocated.Where(g => g > 0).OrderDescending())
        {
            // Allocations that no longer fit (capacity was lowered) simply use up what is left.
            if (!packing.TryPlace(gpus))
            {
                Array.Fill(packing._free, 0);
            }
        }

        return packing;
    }

    /// <summary>Places every request or none (a multinode reservation starts whole or not at all).</summary>
    public bool TryPlaceAll(IReadOnlyCollection<int> requests)
    {
        var trial = new NodePacking((int[])_free.Clone());
        if (!requests.OrderDescending().All(trial.TryPlace))
        {
            return false;
        }

        trial._free.CopyTo(_free, 0);
        return true;
    }

    private bool TryPlace(int gpus)
    {
        if (gpus <= 0)
        {
            return true;
        }

        // Best fit: the fullest node that still has room keeps large holes for large requests.
        var best = -1;
        for (var i = 0; i < _free.Length; i++)
        {
            if (_free[i] >= gpus && (best < 0 || _free[i] < _free[best]))
            {
                best = i;
            }
        }

        if (best < 0)
        {
            return false;
        }

        _free[best] -= gpus;
        return true;
    }
}
