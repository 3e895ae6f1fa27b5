namespace GpuDev.Database;

/// <summary>
/// The database roles every process agrees on. The server's superuser (the local server's <c>postgres</c>,
/// production's <c>POSTGRES_USER</c>) only runs <see cref="DatabaseBootstrap"/>; nothing connects as it afterwards.
/// </summary>
public static class DatabaseRoles
{
    /// <summary>
    /// Owns the application's tables and the migration journal: the migration worker connects as it to run
    /// DDL. Not a superuser; it cannot create roles or databases, read server files or run programs.
    /// </summary>
    public const string Owner = "gpudev_owner";

    /// <summary>
    /// The API and the reservation processor: SELECT/INSERT/UPDATE/DELETE on the application's tables,
    /// their sequences and the queues' tables, nothing else. No CREATE anywhere (not even temporary
    /// tables), no superuser, no membership in <c>pg_read_server_files</c> or <c>pg_execute_server_program</c>.
    /// </summary>
    public const string Runtime = "gpudev_runtime";

    /// <summary>
    /// The session setting that hands the bootstrap the owner's password: a startup option
    /// (<c>PGOPTIONS=-c gpudev.owner_password=…</c>) or <c>set_config</c> with a bind parameter, so the
    /// password is never part of a statement's text (which the server may log).
    /// </summary>
    public const string OwnerPasswordSetting = "gpudev.owner_password";

    /// <summary>The session setting that hands the bootstrap the runtime role's password (see <see cref="OwnerPasswordSetting"/>).</summary>
    public const string RuntimePasswordSetting = "gpudev.runtime_password";

    /// <summary>The schema holding the migration worker's journal; the runtime role may read it (Kubernetes' wait-for-hash).</summary>
    public const string MigrationJournalSchema = "gpudev_migrations";
}
