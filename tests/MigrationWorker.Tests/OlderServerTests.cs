using GpuDev.Hosting.PostgreSQL;

namespace GpuDev.MigrationWorker.Tests;

/// <summary>
/// Everything else runs on production's PostgreSQL 18. A developer whose machine still resolves to an
/// older local server (Postgres:BinDirectory, or no npm) must not be broken silently: the schema and
/// fixtures must apply there too.
/// </summary>
public sealed class OlderServerTests
{
    [Fact]
    public async Task Schema_and_fixtures_also_apply_on_the_machines_older_PostgreSQL_when_it_has_one()
    {
        var (machine, _) = await PostgresInstallation.FindAsync(null);
        if (machine is null || machine.MajorVersion >= PostgresBinaryResolver.ProductionMajorVersion)
        {
            // No older server on this machine (CI without Debian's PostgreSQL): nothing to be broken on.
            return;
        }

        await using var server = await PostgresTestServer.StartAsync(machine.BinDirectory);
        var connectionString = await server.CreateDatabaseAsync("older");

        var result = await WorkerProcess.RunAsync(["--connection", connectionString, "--path", RepositoryFiles.DatabaseDirectory]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Migration completed successfully!", result.Output);
        Assert.StartsWith($"PostgreSQL {machine.MajorVersion}.", await Database.ScalarAsync<string>(connectionString, "SELECT version()"));
        Assert.Equal(10L, await Database.ScalarAsync<long>(connectionString, "SELECT count(*) FROM gpu_types"));
    }
}
