namespace GpuDev.Database;

/// <summary>Names of the control plane's database, as production's chart and the local stack both use them.</summary>
public static class DatabaseNames
{
    /// <summary>The application database (production's <c>POSTGRES_DB</c>) and its connection-string name.</summary>
    public const string Database = "gpudev";
}
