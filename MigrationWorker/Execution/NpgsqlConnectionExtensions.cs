using Npgsql;

namespace GpuDev.MigrationWorker.Execution;

internal static class NpgsqlConnectionExtensions
{
    public static async Task ExecuteAsync(this NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
