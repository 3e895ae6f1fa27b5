namespace Aspire.Hosting.ApplicationModel;

/// <summary>The server's data directory (PGDATA), an absolute path; kept between runs.</summary>
public sealed record LocalPostgresDataDirectoryAnnotation(string Path) : IResourceAnnotation;

/// <summary>The directory holding <c>postgres</c>, <c>initdb</c> and <c>pg_ctl</c>; without it the binaries are searched for.</summary>
public sealed record LocalPostgresBinDirectoryAnnotation(string Path) : IResourceAnnotation;

/// <summary>Where the pinned PostgreSQL package is cached, an absolute path; without it the per-user cache.</summary>
public sealed record LocalPostgresPackageCacheAnnotation(string Path) : IResourceAnnotation;

/// <summary>Delete the data directory before the server's first start in this run (a restart from the dashboard keeps the data).</summary>
public sealed record LocalPostgresResetDataAnnotation : IResourceAnnotation;

/// <summary>
/// Make PGMQ available in this database once it is ready: the server's extension, or (when
/// <paramref name="AllowCompatibility"/>) the project's PGMQ-compatible SQL.
/// </summary>
public sealed record PgmqAnnotation(bool AllowCompatibility) : IResourceAnnotation;

/// <summary>
/// Run <paramref name="Script"/> in this database through the server's superuser connection once the database
/// is ready (after PGMQ) and before anything waiting for it starts; <paramref name="Settings"/> become the
/// session settings the script reads (see <see cref="GpuDev.Hosting.PostgreSQL.PostgresBootstrap"/>).
/// </summary>
public sealed record PostgresBootstrapAnnotation(string Script, IReadOnlyDictionary<string, ParameterResource> Settings) : IResourceAnnotation;
