using Npgsql;

namespace GpuDev.Integration.Tests;

/// <summary>
/// Production's schema catalog: runs database/reference/catalog.sql (what psql -At would print) and
/// compares with database/reference/expected-catalog.txt.
/// </summary>
internal static class Catalog
{
    public static IReadOnlyList<string> Expected() =>
        File.ReadAllLines(Path.Combine(RepositoryFiles.CatalogDirectory, "expected-catalog.txt")).Where(l => l.Length > 0).ToList();

    public static async Task<IReadOnlyList<string>> ReadAsync(string connectionString)
    {
        var script = await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.CatalogDirectory, "catalog.sql"));
        var statements = string.Join('\n', script.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal)))
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        var lines = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        return lines;
    }
}
