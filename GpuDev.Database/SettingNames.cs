namespace GpuDev.Database;

/// <summary>
/// Settings one process hands another through environment variables (the AppHost to a service, a
/// Kubernetes manifest to a container). The receiving side binds them as configuration
/// (<c>Admin:Token</c>, <c>Migrations:Path</c>, <c>ConnectionStrings:gpudev</c>).
/// </summary>
public static class SettingNames
{
    /// <summary>The API's admin token (configuration <c>Admin:Token</c>).</summary>
    public const string AdminToken = "Admin__Token";

    /// <summary>The migration worker's <c>database/</c> directory (configuration <c>Migrations:Path</c>).</summary>
    public const string MigrationsPath = "Migrations__Path";

    /// <summary>The connection string of <see cref="DatabaseNames.Database"/> (configuration <c>ConnectionStrings:gpudev</c>).</summary>
    public const string DatabaseConnectionString = "ConnectionStrings__" + DatabaseNames.Database;
}
