using System.Diagnostics;
using System.Text;
using GpuDev.Database.Migrations;

namespace GpuDev.MigrationWorker.Tests;

public sealed class MigrationHashTests
{
    [Fact]
    public async Task Hash_follows_production_scheme_over_schema_and_fixtures()
    {
        // Computed independently with coreutils, the way a shell or Terraform would.
        var expected = await ShellAsync(
            "cd \"$1\" && for f in $(LC_ALL=C ls schema/*.sql) $(LC_ALL=C ls fixtures/*.sql); do md5sum \"$f\" | cut -c1-32; done | tr -d '\\n' | md5sum | cut -c1-8",
            RepositoryFiles.DatabaseDirectory);

        Assert.Equal(expected.Trim(), MigrationHash.Compute(RepositoryFiles.DatabaseDirectory));
    }

    [Fact]
    public void Fixture_content_changes_the_hash_and_input_order_does_not()
    {
        (string, byte[]) Schema(string name, string sql) => ($"schema/{name}", Encoding.UTF8.GetBytes(sql));
        var a = Schema("001_a.sql", "CREATE TABLE a (id int);");
        var b = Schema("002_b.sql", "CREATE TABLE b (id int);");
        var fixture = ("fixtures/001_rows.sql", Encoding.UTF8.GetBytes("INSERT INTO a VALUES (1);"));
        var edited = ("fixtures/001_rows.sql", Encoding.UTF8.GetBytes("INSERT INTO a VALUES (2);"));

        var hash = MigrationHash.ComputeFromContents([a, b, fixture]);

        Assert.Matches("^[0-9a-f]{8}$", hash);
        Assert.Equal(hash, MigrationHash.ComputeFromContents([fixture, b, a]));
        Assert.NotEqual(hash, MigrationHash.ComputeFromContents([a, b, edited]));
    }

    private static async Task<string> ShellAsync(string script, string argument)
    {
        var startInfo = new ProcessStartInfo("bash") { RedirectStandardOutput = true, ArgumentList = { "-c", script, "bash", argument } };
        using var process = Process.Start(startInfo)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
