using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Npgsql;

namespace GpuDev.Hosting.PostgreSQL;

/// <summary>
/// Runs a database's bootstrap script (roles, grants: what only the role that owns the server may do)
/// through a superuser connection, in one transaction.
/// </summary>
public static class PostgresBootstrap
{
    // Any fixed number: serialises concurrent bootstraps of one database (a dashboard restart during a run).
    private const long BootstrapLockKey = 0x67_70_75_64_65_76_62;

    /// <summary>
    /// Runs <paramref name="database"/>'s bootstrap with its parameters' values. The database resource's
    /// connection string is the superuser's: the AppHost owns the server.
    /// </summary>
    public static async Task RunAsync(IResourceWithConnectionString database, PostgresBootstrapAnnotation bootstrap, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(bootstrap);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, parameter) in bootstrap.Settings)
        {
            settings[name] = await parameter.GetValueAsync(cancellationToken)
                ?? throw new DistributedApplicationException($"The {parameter.Name} parameter has no value; the database bootstrap needs it.");
        }

        var connectionString = await database.ConnectionStringExpression.GetValueAsync(cancellationToken);
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await RunAsync(connection, bootstrap.Script, settings, cancellationToken);
    }

    /// <param name="settings">
    /// Session settings the script reads with <c>current_setting</c> (its passwords), sent as bind parameters
    /// of <c>set_config</c>, so no secret is ever part of a statement's text.
    /// </param>
    public static async Task RunAsync(NpgsqlConnection connection, string script, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(settings);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({BootstrapLockKey})", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var (name, value) in settings)
        {
            // Local to the transaction: the values are gone once the script has committed.
            await using var set = new NpgsqlCommand("SELECT set_config($1, $2, true)", connection, transaction)
            {
                Parameters = { new() { Value = name }, new() { Value = value } },
            };
            await set.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand(script, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
