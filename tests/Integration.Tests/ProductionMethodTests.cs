using System.Diagnostics;

namespace GpuDev.Integration.Tests;

/// <summary>database/ applied the way production's job does it (psql, file by file, ON_ERROR_STOP).</summary>
[Collection(PostgresServerGroup.Name)]
public sealed class ProductionMethodTests(PostgresServerFixture fixture)
{
    [LocalModeFact]
    public async Task Psql_file_by_file_yields_exactly_the_production_catalog()
    {
        var connectionString = await fixture.Server.CreateDatabaseAsync("psql");
        await ApplyWithPsqlAsync(connectionString);

        Assert.Equal(Catalog.Expected(), await Catalog.ReadAsync(connectionString));
    }

    [LocalModeFact]
    public async Task Applying_every_file_twice_is_harmless()
    {
        var connectionString = await fixture.Server.CreateDatabaseAsync("twice");
        await ApplyWithPsqlAsync(connectionString);
        await ApplyWithPsqlAsync(connectionString);

        Assert.Equal(Catalog.Expected(), await Catalog.ReadAsync(connectionString));
    }

    private static readonly string[] Kinds = ["schema", "fixtures"];

    private async Task ApplyWithPsqlAsync(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var files = Kinds
            .SelectMany(kind => Directory.GetFiles(Path.Combine(RepositoryFiles.DatabaseDirectory, kind), "*.sql").Order(StringComparer.Ordinal));
        foreach (var file in files)
        {
            var startInfo = new ProcessStartInfo("psql") { UseShellExecute = false, RedirectStandardError = true };
            foreach (var argument in new[] { "-X", "-q", "-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", builder.Username!, "-d", builder.Database!, "-v", "ON_ERROR_STOP=1", "-f", file })
            {
                startInfo.ArgumentList.Add(argument);
            }

            startInfo.Environment["PGPASSWORD"] = fixture.Server.Password;
            using var process = Process.Start(startInfo)!;
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"psql failed on {Path.GetFileName(file)}: {stderr}");
        }
    }
}
