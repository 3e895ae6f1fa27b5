namespace GpuDev.AppHost.Postgres;

/// <summary>How the AppHost provides PostgreSQL with PGMQ.</summary>
public enum PostgresMode
{
    /// <summary><see cref="Container"/> when a container runtime answers, otherwise <see cref="Local"/>.</summary>
    Auto,

    /// <summary>Production's PGMQ image through Aspire's PostgreSQL integration.</summary>
    Container,

    /// <summary>The machine's own PostgreSQL binaries, run as an Aspire executable.</summary>
    Local,
}
