namespace GpuDev.Pgmq.ContractTests;

/// <summary>PGMQ lets monitoring roles (<c>pg_monitor</c>) read every queue, and nothing more.</summary>
public sealed class PrivilegeTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    [Fact]
    public async Task Pg_monitor_may_read_the_schema_and_every_queue_created_later_but_not_write()
    {
        await Pgmq.CreateAsync("jobs");

        Assert.True(await Pgmq.ScalarAsync<bool>("SELECT has_schema_privilege('pg_monitor', 'pgmq', 'USAGE')"));
        Assert.True(await Pgmq.ScalarAsync<bool>("SELECT has_table_privilege('pg_monitor', 'pgmq.meta', 'SELECT')"));
        Assert.True(await Pgmq.ScalarAsync<bool>("SELECT has_table_privilege('pg_monitor', 'pgmq.q_jobs', 'SELECT')"));
        Assert.True(await Pgmq.ScalarAsync<bool>("SELECT has_table_privilege('pg_monitor', 'pgmq.a_jobs', 'SELECT')"));
        Assert.True(await Pgmq.ScalarAsync<bool>("SELECT has_sequence_privilege('pg_monitor', 'pgmq.q_jobs_msg_id_seq', 'SELECT')"));
        Assert.False(await Pgmq.ScalarAsync<bool>("SELECT has_table_privilege('pg_monitor', 'pgmq.q_jobs', 'INSERT')"));
        Assert.False(await Pgmq.ScalarAsync<bool>("SELECT has_table_privilege('pg_monitor', 'pgmq.q_jobs', 'DELETE')"));
    }
}
