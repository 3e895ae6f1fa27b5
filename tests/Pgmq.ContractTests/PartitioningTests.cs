using Npgsql;

namespace GpuDev.Pgmq.ContractTests;

/// <summary>
/// Partitioned queues and archives need pg_partman. Without it (the databases these tests create) the
/// calls fail and change nothing, in PGMQ as here.
/// </summary>
public sealed class PartitioningTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    [Fact]
    public async Task Convert_archive_partitioned_without_pg_partman_fails_with_sqlstate_22004_and_keeps_the_archive()
    {
        await Pgmq.CreateAsync("orders");
        var id = await Pgmq.SendAsync("orders", """{"n": 1}""");
        await Pgmq.ArchiveAsync("orders", id);

        var error = await Assert.ThrowsAsync<PostgresException>(() => Pgmq.ExecuteAsync("SELECT pgmq.convert_archive_partitioned(table_name => 'orders')"));

        Assert.Equal(PostgresErrorCodes.NullValueNotAllowed, error.SqlState);
        Assert.Equal("r", await Pgmq.ScalarAsync<string>("SELECT relkind::text FROM pg_class WHERE oid = 'pgmq.a_orders'::regclass"));
        Assert.Equal(id, await Pgmq.ScalarAsync<long>("SELECT msg_id FROM pgmq.a_orders"));
    }

    [Fact]
    public async Task Convert_archive_partitioned_of_a_queue_without_an_archive_does_nothing()
    {
        await Pgmq.ExecuteAsync("SELECT pgmq.convert_archive_partitioned(table_name => 'never_created')");

        Assert.Equal(0, await Pgmq.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relnamespace = 'pgmq'::regnamespace AND relname LIKE '%never_created%'"));
    }

    [Fact]
    public async Task Create_partitioned_without_pg_partman_fails_with_sqlstate_P0001_and_creates_nothing()
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => Pgmq.ExecuteAsync("SELECT pgmq.create_partitioned(queue_name => 'orders')"));

        Assert.Equal(PostgresErrorCodes.RaiseException, error.SqlState);
        Assert.Empty(await Pgmq.ListQueuesAsync());
    }
}
