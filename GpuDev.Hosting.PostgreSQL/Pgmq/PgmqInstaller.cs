using System.Reflection;
using Npgsql;

namespace GpuDev.Hosting.PostgreSQL.Pgmq;

/// <summary>Where a database's <c>pgmq</c> schema came from.</summary>
public enum PgmqSource
{
    /// <summary>The real PGMQ extension (<c>CREATE EXTENSION pgmq</c>).</summary>
    Extension,

    /// <summary>This project's PGMQ-compatible SQL, for servers without the extension.</summary>
    Compatibility,
}

/// <summary>
/// Makes PGMQ available in a database: the real extension when the server has it installed, otherwise
/// (if allowed) this project's PGMQ-compatible SQL, which keeps PGMQ's function signatures and table layout.
/// Safe to run any number of times, also concurrently.
/// </summary>
public static class PgmqInstaller
{
    private const string ResourceName = "GpuDev.Hosting.PostgreSQL.Pgmq.pgmq-compat.sql";

    // Any fixed number: serialises concurrent installers in one database.
    private const long InstallLockKey = 0x67_70_75_64_65_76_71;

    /// <summary>The PGMQ-compatible SQL script (idempotent).</summary>
    public static string CompatibilityScript { get; } = LoadScript();

    public static async Task<PgmqSource> EnsureAsync(NpgsqlConnection connection, bool allowCompatibility, CancellationToken cancellationToken = default)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({InstallLockKey})", cancellationToken);

        if (await ScalarAsync(connection, "SELECT 1 FROM pg_extension WHERE extname = 'pgmq'", cancellationToken))
        {
            return PgmqSource.Extension;
        }

        if (await ScalarAsync(connection, "SELECT 1 FROM pg_available_extensions WHERE name = 'pgmq'", cancellationToken))
        {
            await ExecuteAsync(connection, "CREATE EXTENSION IF NOT EXISTS pgmq", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return PgmqSource.Extension;
        }

        if (!allowCompatibility)
        {
            throw new InvalidOperationException(
                "The PostgreSQL server has no pgmq extension. Use the PGMQ image (ghcr.io/pgmq/pg18-pgmq) or install PGMQ on the server.");
        }

        await ExecuteAsync(connection, CompatibilityScript, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return PgmqSource.Compatibility;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<bool> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static string LoadScript()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the GpuDev.Hosting.PostgreSQL assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
