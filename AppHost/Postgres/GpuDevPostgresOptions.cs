namespace GpuDev.AppHost.Postgres;

/// <summary>
/// The AppHost's <c>Postgres</c> configuration section. Every value can be given on the command line,
/// e.g. <c>dotnet run --project AppHost -- --Postgres:Mode local</c>, or as <c>Postgres__Mode=local</c>.
/// </summary>
public sealed class GpuDevPostgresOptions
{
    public const string SectionName = "Postgres";

    public PostgresMode Mode { get; set; } = PostgresMode.Auto;

    /// <summary>Local mode: the directory holding <c>postgres</c>, <c>initdb</c> and <c>pg_ctl</c>.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>
    /// Local mode: where the pinned PostgreSQL package is cached; default the OS's per-user cache directory
    /// (<c>/var/cache/gpudev/postgresql</c> for root). See <c>EmbeddedPostgresCache.DefaultRoot</c>.
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Local mode: the data directory; default <c>AppHost/.localdata/postgres</c>.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// Delete the data before the server starts (then start empty): local mode's data directory,
    /// container mode's data volume.
    /// </summary>
    public bool ResetData { get; set; }

    /// <summary>The application database, production's <c>gpudev</c>.</summary>
    public string DatabaseName { get; set; } = GpuDev.Database.DatabaseNames.Database;

    /// <summary>Container mode: production's image (PostgreSQL 18 with PGMQ 1.8.1).</summary>
    public string ContainerRegistry { get; set; } = "ghcr.io";

    public string ContainerImage { get; set; } = "pgmq/pg18-pgmq";

    public string ContainerTag { get; set; } = "v1.8.1";

    /// <summary>
    /// Container mode: the data volume. Default: the name Aspire derives from the AppHost's path
    /// (<c>gpudev.apphost-&lt;hash&gt;-postgres-data</c>), the volume of <c>dotnet run</c>. Tests give
    /// each stack a volume of its own, so they never touch it.
    /// </summary>
    public string? ContainerVolume { get; set; }
}
