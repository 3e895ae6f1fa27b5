using Npgsql;

namespace GpuDev.Pgmq.ContractTests;

/// <summary>Which calls wait for which: PGMQ locks one queue at a time, and purges with TRUNCATE.</summary>
public sealed class LockingTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    [Fact]
    public async Task Purge_queue_blocks_send_read_and_metrics_on_that_queue_until_the_purging_transaction_ends()
    {
        await Pgmq.CreateAsync("jobs");
        await Pgmq.SendAsync("jobs", """{"n": 1}""");
        var purger = await ConnectAsync();
        var sender = await ConnectAsync();
        var reader = await ConnectAsync();
        var watcher = await ConnectAsync();
        await using var purge = await purger.Connection.BeginTransactionAsync();
        Assert.Equal(1, await purger.PurgeQueueAsync("jobs"));

        var sending = sender.SendAsync("jobs", """{"n": 2}""");
        var reading = reader.ReadAsync("jobs", vt: 30, qty: 10);
        var measuring = Pgmq.MetricsAsync("jobs");
        await WaitUntilWaitingForALockAsync(watcher, sender, reader, Pgmq);
        Assert.False(sending.IsCompleted || reading.IsCompleted || measuring.IsCompleted, "a call on the purged queue did not wait for the TRUNCATE");

        await purge.CommitAsync();

        // All three go ahead once the purge commits (in an order the server chooses).
        var sent = await sending;
        await reading;
        await measuring;
        Assert.Equal(1, (await Pgmq.MetricsAsync("jobs")).QueueLength);
        Assert.Equal(2, sent); // TRUNCATE keeps the id sequence going
    }

    [Fact]
    public async Task Creating_a_queue_does_not_hold_up_creating_or_dropping_another_queue()
    {
        await Pgmq.CreateAsync("old");
        var creator = await ConnectAsync();
        var other = await ConnectAsync();
        await other.ExecuteAsync("SET lock_timeout = '10s'");
        await using var creating = await creator.Connection.BeginTransactionAsync();
        await creator.CreateAsync("alpha");

        await other.CreateAsync("beta");
        Assert.True(await other.DropQueueAsync("old"));

        await creating.CommitAsync();
        Assert.Equal(["alpha", "beta"], (await Pgmq.ListQueuesAsync()).Select(q => q.QueueName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Creating_the_same_queue_twice_at_once_waits_for_the_first_and_keeps_one_meta_row()
    {
        var first = await ConnectAsync();
        var second = await ConnectAsync();
        var watcher = await ConnectAsync();
        await using var creating = await first.Connection.BeginTransactionAsync();
        await first.CreateAsync("jobs");

        var again = second.CreateAsync("jobs");
        await WaitUntilWaitingForALockAsync(watcher, second);
        Assert.False(again.IsCompleted);
        await creating.CommitAsync();
        await again;

        Assert.Equal(1, await Pgmq.ScalarAsync<long>("SELECT count(*) FROM pgmq.meta WHERE queue_name = 'jobs'"));
    }

    private static Task<long> WaitUntilWaitingForALockAsync(PgmqClient watcher, params PgmqClient[] sessions) =>
        Eventually.ResultAsync(
            () => watcher.ScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(@pids) AND wait_event_type = 'Lock'",
                ("pids", sessions.Select(s => s.Connection.ProcessID).ToArray())),
            waiting => waiting == sessions.Length,
            TimeSpan.FromSeconds(10),
            "the other sessions to wait for a lock");
}
