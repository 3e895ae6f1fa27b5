using GpuDev.Hosting.PostgreSQL.Pgmq;
using Npgsql;

namespace GpuDev.Pgmq.ContractTests;

/// <summary>How PGMQ gets into a database: <see cref="PgmqInstaller"/> and the compatible script itself.</summary>
[Collection(PostgresServerGroup.Name)]
public sealed class InstallationTests(ContractServerFixture fixture)
{
    [Fact]
    public async Task Installer_uses_the_extension_when_the_server_has_it_otherwise_the_compatible_sql_and_is_idempotent()
    {
        var connectionString = await fixture.CreateDatabaseAsync("install");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var client = new PgmqClient(connection);
        var expected = await client.ScalarAsync<long>("SELECT count(*) FROM pg_available_extensions WHERE name = 'pgmq'") > 0
            ? PgmqSource.Extension
            : PgmqSource.Compatibility;

        var first = await PgmqInstaller.EnsureAsync(connection, allowCompatibility: true);
        await client.CreateAsync("jobs");
        var id = await client.SendAsync("jobs", """{"n": 1}""");
        var second = await PgmqInstaller.EnsureAsync(connection, allowCompatibility: true);

        Assert.Equal(expected, first);
        Assert.Equal(expected, second);
        Assert.Equal(id, Assert.Single(await client.ReadAsync("jobs", vt: 30, qty: 1)).MsgId);
    }

    [Fact]
    public async Task Installer_on_this_server_without_the_extension_reports_the_compatible_sql()
    {
        var connectionString = await fixture.CreateDatabaseAsync("install");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var client = new PgmqClient(connection);
        // The contract tests also run against servers that have PGMQ; this check is about the ones that do not.
        var serverHasPgmq = await client.ScalarAsync<long>("SELECT count(*) FROM pg_available_extensions WHERE name = 'pgmq'") > 0;

        var source = await PgmqInstaller.EnsureAsync(connection, allowCompatibility: true);

        Assert.Equal(serverHasPgmq ? PgmqSource.Extension : PgmqSource.Compatibility, source);
        if (!serverHasPgmq)
        {
            Assert.Equal(0, await client.ScalarAsync<long>("SELECT count(*) FROM pg_extension WHERE extname = 'pgmq'"));
            Assert.Equal(1, await client.ScalarAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgmq'"));
        }
    }

    [Fact]
    public async Task Installer_refuses_the_compatible_sql_when_it_is_not_allowed_and_the_server_lacks_pgmq()
    {
        var connectionString = await fixture.CreateDatabaseAsync("install");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var client = new PgmqClient(connection);
        if (await client.ScalarAsync<long>("SELECT count(*) FROM pg_available_extensions WHERE name = 'pgmq'") > 0)
        {
            Assert.Equal(PgmqSource.Extension, await PgmqInstaller.EnsureAsync(connection, allowCompatibility: false));
            return;
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PgmqInstaller.EnsureAsync(connection, allowCompatibility: false));

        Assert.Contains("pgmq", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await client.ScalarAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgmq'"));
    }

    [Fact]
    public async Task Concurrent_installers_on_one_database_all_succeed()
    {
        var connectionString = await fixture.CreateDatabaseAsync("install");

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            return await PgmqInstaller.EnsureAsync(connection, allowCompatibility: true);
        }));

        Assert.Single(results.Distinct());
    }

    [Fact]
    public async Task Running_the_compatible_script_twice_keeps_queues_and_messages()
    {
        var connectionString = await fixture.CreateDatabaseAsync("script");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var client = new PgmqClient(connection);
        await RunScriptAsync(connection);
        await client.CreateAsync("jobs");
        var id = await client.SendAsync("jobs", """{"n": 1}""", headers: """{"h": 1}""");

        await RunScriptAsync(connection);

        var message = Assert.Single(await client.ReadAsync("jobs", vt: 30, qty: 1));
        Assert.Equal(id, message.MsgId);
        AssertJson.Equal("""{"h": 1}""", message.Headers);
        Assert.Equal(["jobs"], (await client.ListQueuesAsync()).Select(q => q.QueueName));
        Assert.True(await client.SendAsync("jobs", """{"n": 2}""") > id);
    }

    // As the installer runs it: the whole script in one transaction.
    private static async Task RunScriptAsync(NpgsqlConnection connection)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(PgmqInstaller.CompatibilityScript, connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }
}
