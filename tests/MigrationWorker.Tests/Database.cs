using Npgsql;

namespace GpuDev.MigrationWorker.Tests;

/// <summary>Small queries the tests use to look at a database after the worker ran.</summary>
public static class Database
{
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<List<(string Name, string Kind)>> JournalAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT file_name, kind FROM gpudev_migrations.applied_files ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }

    public static Task<bool> TableExistsAsync(string connectionString, string qualifiedName) =>
        ScalarAsync<bool>(connectionString, "SELECT to_regclass($1) IS NOT NULL", qualifiedName);

    public static Task<bool> JournalExistsAsync(string connectionString) =>
        ScalarAsync<bool>(connectionString, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'gpudev_migrations')");
}
