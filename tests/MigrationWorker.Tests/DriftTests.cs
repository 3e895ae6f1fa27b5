using System.Security.Cryptography;

namespace GpuDev.MigrationWorker.Tests;

public sealed class DriftTests(PostgresServerFixture fixture) : MigrationTestBase(fixture)
{
    private const string Change = "\nCOMMENT ON TABLE gpu_types IS 'edited after deployment';\n";

    [Fact]
    public async Task Changed_applied_schema_file_is_warned_about_with_both_checksums_and_reapplied()
    {
        using var files = DatabaseCopy.OfRepository();
        Assert.Equal(0, (await RunWorkerAsync(files.Path)).ExitCode);
        var (before, after) = await EditAsync(files);

        var result = await RunWorkerAsync(files.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"warning: Drift: schema/004_gpu_types.sql changed after it was applied on ", result.Output);
        Assert.Contains($"journal sha256 {before}, file sha256 {after}", result.Output);
        Assert.Contains("  → 004_gpu_types.sql (changed, ", result.Output);
        Assert.Equal("edited after deployment", await Database.ScalarAsync<string>(ConnectionString, "SELECT obj_description('public.gpu_types'::regclass)"));
    }

    [Fact]
    public async Task Strict_refuses_a_changed_applied_schema_file_and_applies_nothing()
    {
        using var files = DatabaseCopy.OfRepository();
        Assert.Equal(0, (await RunWorkerAsync(files.Path)).ExitCode);
        var (before, after) = await EditAsync(files);
        files.WriteSchema("005_new.sql", "CREATE TABLE strictly_new (id int);\n");

        var result = await RunWorkerAsync(files.Path, "--strict");

        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.Contains("Refusing to migrate (--strict)", result.Output);
        Assert.Contains($"schema/004_gpu_types.sql changed after it was applied", result.Output);
        Assert.Contains($"journal sha256 {before}, file sha256 {after}", result.Output);
        Assert.Null(await Database.ScalarAsync<object>(ConnectionString, "SELECT obj_description('public.gpu_types'::regclass)") as string);
        Assert.False(await Database.TableExistsAsync(ConnectionString, "public.strictly_new"));
        Assert.Equal(1L, await Database.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM gpudev_migrations.runs"));
    }

    private static async Task<(string Before, string After)> EditAsync(DatabaseCopy files)
    {
        var path = Path.Combine(files.Schema, "004_gpu_types.sql");
        var before = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path)));
        await File.AppendAllTextAsync(path, Change);
        var after = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path)));
        return (before, after);
    }
}
