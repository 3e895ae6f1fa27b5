using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.MigrationWorker;

/// <summary>
/// Applies every schema file, then every fixture file, in ordinal file-name order, each in its own
/// transaction, and logs the run the way production's migration job does.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, IOptions<MigrationOptions> options, ILogger<MigrationRunner> logger)
{
    private const string Rule = "==========================================";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var root = options.Value.Path;
        logger.LogInformation("{Rule}\nDatabase Schema Migration\n{Rule}", Rule, Rule);

        foreach (var (kind, heading) in new[] { ("schema", "Applying schema files..."), ("fixtures", "Applying fixture data...") })
        {
            var directory = Path.Combine(root, kind);
            if (!Directory.Exists(directory))
            {
                logger.LogError("Migration failed: directory {Directory} does not exist. Set Migrations:Path to the folder holding schema/ and fixtures/.", directory);
                return 2;
            }

            logger.LogInformation("{Heading}", heading);
            foreach (var file in Directory.GetFiles(directory, "*.sql").OrderBy(Path.GetFileName, StringComparer.Ordinal))
            {
                logger.LogInformation("  → {File}", Path.GetFileName(file));
                var sql = await File.ReadAllTextAsync(file, cancellationToken);
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                try
                {
                    await using var command = new NpgsqlCommand(sql, connection, transaction);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }
                catch (PostgresException ex)
                {
                    logger.LogError("Migration failed in {File}: {SqlState}: {Message}", Path.GetFileName(file), ex.SqlState, ex.MessageText);
                    return 1;
                }
            }
        }

        logger.LogInformation("{Rule}\nMigration completed successfully!\n{Rule}", Rule, Rule);
        return 0;
    }
}
