namespace GpuDev.Pgmq.ContractTests;

public sealed class QueueManagementTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    [Fact]
    public async Task Create_makes_the_queue_table_the_archive_table_and_a_meta_row()
    {
        await Pgmq.CreateAsync("orders");

        var queueColumns = await ColumnsAsync("q_orders");
        var archiveColumns = await ColumnsAsync("a_orders");
        Assert.All(["msg_id", "read_ct", "enqueued_at", "vt", "message", "headers"], c => Assert.Contains(c, queueColumns));
        Assert.All(["msg_id", "read_ct", "enqueued_at", "archived_at", "vt", "message", "headers"], c => Assert.Contains(c, archiveColumns));
        var meta = await Pgmq.QueryAsync(
            "SELECT is_partitioned, is_unlogged FROM pgmq.meta WHERE queue_name = 'orders'",
            r => (Partitioned: r.GetBoolean(0), Unlogged: r.GetBoolean(1)));
        Assert.Equal((false, false), Assert.Single(meta));
    }

    [Fact]
    public async Task Create_is_idempotent_and_keeps_existing_messages()
    {
        await Pgmq.CreateAsync("orders");
        var id = await Pgmq.SendAsync("orders", """{"n": 1}""");

        await Pgmq.CreateAsync("orders");

        Assert.Equal(1, await Pgmq.ScalarAsync<long>("SELECT count(*) FROM pgmq.meta WHERE queue_name = 'orders'"));
        Assert.Equal(id, Assert.Single(await Pgmq.ReadAsync("orders", vt: 30, qty: 10)).MsgId);
    }

    [Fact]
    public async Task List_queues_returns_every_queue_with_its_metadata()
    {
        var before = await Pgmq.ScalarAsync<DateTime>("SELECT now()");
        await Pgmq.CreateAsync("alpha");
        await Pgmq.CreateAsync("beta");

        var queues = await Pgmq.ListQueuesAsync();

        Assert.Equal(["alpha", "beta"], queues.Select(q => q.QueueName).Order(StringComparer.Ordinal));
        Assert.All(queues, q =>
        {
            Assert.False(q.IsPartitioned);
            Assert.False(q.IsUnlogged);
            Assert.InRange(q.CreatedAt, new DateTimeOffset(before), DateTimeOffset.UtcNow.AddMinutes(1));
        });
    }

    [Fact]
    public async Task Drop_queue_removes_both_tables_and_the_meta_row_and_returns_true()
    {
        await Pgmq.CreateAsync("orders");
        await Pgmq.SendAsync("orders", """{"n": 1}""");

        Assert.True(await Pgmq.DropQueueAsync("orders"));

        Assert.Empty(await ColumnsAsync("q_orders"));
        Assert.Empty(await ColumnsAsync("a_orders"));
        Assert.DoesNotContain(await Pgmq.ListQueuesAsync(), q => q.QueueName == "orders");
    }

    [Fact]
    public async Task Drop_queue_of_a_queue_that_does_not_exist_returns_false()
    {
        Assert.False(await Pgmq.DropQueueAsync("never_created"));
    }

    [Fact]
    public async Task Purge_queue_deletes_every_message_read_or_not_and_returns_the_count()
    {
        await Pgmq.CreateAsync("orders");
        await Pgmq.SendBatchAsync("orders", ["""{"n": 1}""", """{"n": 2}""", """{"n": 3}"""]);
        await Pgmq.ReadAsync("orders", vt: 3600, qty: 1);

        Assert.Equal(3, await Pgmq.PurgeQueueAsync("orders"));

        Assert.Equal(0, (await Pgmq.MetricsAsync("orders")).QueueLength);
        Assert.Equal(0, await Pgmq.PurgeQueueAsync("orders"));
        Assert.Contains(await Pgmq.ListQueuesAsync(), q => q.QueueName == "orders");
    }

    [Fact]
    public async Task Sending_to_a_queue_that_does_not_exist_fails()
    {
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Pgmq.SendAsync("never_created", """{"n": 1}"""));
    }

    private Task<List<string>> ColumnsAsync(string table) => Pgmq.QueryAsync(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'pgmq' AND table_name = @table",
        r => r.GetString(0),
        ("table", table));

    [Fact]
    public async Task List_queues_returns_queues_in_creation_order()
    {
        foreach (var queue in new[] { "zeta", "alpha", "mid" })
        {
            await Pgmq.CreateAsync(queue);
        }

        Assert.Equal(["zeta", "alpha", "mid"], (await Pgmq.ListQueuesAsync()).Select(q => q.QueueName));
    }

    [Fact]
    public async Task Drop_queue_by_another_case_drops_the_tables_but_leaves_the_meta_row_as_pgmq_does()
    {
        await Pgmq.CreateAsync("Orders");

        Assert.True(await Pgmq.DropQueueAsync("orders"));

        Assert.Empty(await ColumnsAsync("q_orders"));
        Assert.Empty(await ColumnsAsync("a_orders"));
        Assert.Equal(["Orders"], (await Pgmq.ListQueuesAsync()).Select(q => q.QueueName));
    }

    [Fact]
    public async Task Deprecated_drop_queue_with_partitioned_drops_the_queue_and_returns_true_even_for_a_missing_queue()
    {
        await Pgmq.CreateAsync("orders");

        Assert.True(await Pgmq.ScalarAsync<bool>("SELECT pgmq.drop_queue(queue_name => 'orders', partitioned => false)"));
        Assert.True(await Pgmq.ScalarAsync<bool>("SELECT pgmq.drop_queue(queue_name => 'never_created', partitioned => false)"));

        Assert.Empty(await ColumnsAsync("q_orders"));
        Assert.Empty(await Pgmq.ListQueuesAsync());
    }

    [Fact]
    public async Task Deprecated_detach_archive_changes_nothing_and_drop_queue_still_drops_the_archive()
    {
        await Pgmq.CreateAsync("orders");
        var id = await Pgmq.SendAsync("orders", """{"n": 1}""");
        await Pgmq.ArchiveAsync("orders", id);

        await Pgmq.ExecuteAsync("SELECT pgmq.detach_archive(queue_name => 'orders')");

        Assert.Equal(1, await Pgmq.ScalarAsync<long>("SELECT count(*) FROM pgmq.a_orders"));
        Assert.True(await Pgmq.DropQueueAsync("orders"));
        Assert.Empty(await ColumnsAsync("a_orders"));
    }
}
