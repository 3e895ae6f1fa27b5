namespace GpuDev.Pgmq.ContractTests;

public sealed class MetricsTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    [Fact]
    public async Task Metrics_count_all_messages_visible_messages_and_every_message_ever_sent()
    {
        await Pgmq.CreateAsync("jobs");
        var ids = await Pgmq.SendBatchAsync("jobs", ["""{"n": 1}""", """{"n": 2}""", """{"n": 3}""", """{"n": 4}"""]);
        await Pgmq.ReadAsync("jobs", vt: 3600, qty: 1); // one in flight
        await Pgmq.DeleteAsync("jobs", ids[3]); // one gone
        var before = await Pgmq.ScalarAsync<DateTime>("SELECT clock_timestamp()");

        var metrics = await Pgmq.MetricsAsync("jobs");

        Assert.Equal("jobs", metrics.QueueName);
        Assert.Equal(3, metrics.QueueLength);
        Assert.Equal(2, metrics.QueueVisibleLength);
        Assert.Equal(4, metrics.TotalMessages);
        Assert.NotNull(metrics.OldestMsgAgeSec);
        Assert.NotNull(metrics.NewestMsgAgeSec);
        Assert.InRange(metrics.NewestMsgAgeSec.Value, 0, 60);
        Assert.InRange(metrics.OldestMsgAgeSec.Value, metrics.NewestMsgAgeSec.Value, 60);
        Assert.InRange(metrics.ScrapeTime, new DateTimeOffset(before).AddSeconds(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Metrics_of_a_new_queue_are_zero_with_no_message_ages()
    {
        await Pgmq.CreateAsync("empty");

        var metrics = await Pgmq.MetricsAsync("empty");

        Assert.Equal(0, metrics.QueueLength);
        Assert.Equal(0, metrics.QueueVisibleLength);
        Assert.Equal(0, metrics.TotalMessages);
        Assert.Null(metrics.NewestMsgAgeSec);
        Assert.Null(metrics.OldestMsgAgeSec);
    }

    [Fact]
    public async Task Metrics_all_returns_one_row_per_queue()
    {
        await Pgmq.CreateAsync("alpha");
        await Pgmq.CreateAsync("beta");
        await Pgmq.SendBatchAsync("alpha", ["""{"n": 1}""", """{"n": 2}"""]);
        await Pgmq.SendAsync("beta", """{"n": 1}""");

        var all = await Pgmq.MetricsAllAsync();

        Assert.Equal(["alpha", "beta"], all.Select(m => m.QueueName).Order(StringComparer.Ordinal));
        Assert.Equal(2, all.Single(m => m.QueueName == "alpha").QueueLength);
        Assert.Equal(1, all.Single(m => m.QueueName == "beta").QueueLength);
    }

    [Fact]
    public async Task Metrics_count_visible_messages_against_the_transaction_start_not_the_clock()
    {
        await Pgmq.CreateAsync("jobs");
        await using var transaction = await Pgmq.Connection.BeginTransactionAsync();
        await Pgmq.ExecuteAsync("SELECT 1");
        await Pgmq.SendAsync("jobs", """{"n": 1}"""); // visible from the clock's now, after the transaction began

        var inside = await Pgmq.MetricsAsync("jobs");
        await transaction.CommitAsync();
        var after = await Pgmq.MetricsAsync("jobs");

        Assert.Equal(1, inside.QueueLength);
        Assert.Equal(0, inside.QueueVisibleLength);
        Assert.Equal(1, after.QueueVisibleLength);
    }

    [Fact]
    public async Task Metrics_all_returns_queues_in_creation_order()
    {
        foreach (var queue in new[] { "zeta", "alpha", "mid" })
        {
            await Pgmq.CreateAsync(queue);
        }

        Assert.Equal(["zeta", "alpha", "mid"], (await Pgmq.MetricsAllAsync()).Select(m => m.QueueName));
    }
}
