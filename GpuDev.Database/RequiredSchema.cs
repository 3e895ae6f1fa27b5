namespace GpuDev.Database;

/// <summary>
/// What the API needs before it serves: the tables the migration worker creates. The API checks them
/// at start-up and the worker's <c>--verify</c> checks the same list (queues: <see cref="Queues.QueueNames.All"/>).
/// </summary>
public static class RequiredSchema
{
    public static IReadOnlyList<string> Tables { get; } = ["api_users", "api_keys", "reservations", "disks", "gpu_types"];
}
