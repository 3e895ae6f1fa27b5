using Npgsql;

namespace GpuDev.Pgmq.ContractTests;

/// <summary>
/// <c>pgmq.enable_notify_insert</c>: a NOTIFY on channel <c>pgmq.q_&lt;queue&gt;.INSERT</c> when messages
/// arrive, at most once per throttle interval.
/// </summary>
public sealed class NotifyInsertTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    private const string Queue = "jobs";
    private const string Channel = "pgmq.q_jobs.INSERT";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Pgmq.CreateAsync(Queue);
    }

    [Fact]
    public async Task Enabled_notifications_arrive_once_per_send_without_throttling()
    {
        await Pgmq.ExecuteAsync("SELECT pgmq.enable_notify_insert(queue_name => 'jobs', throttle_interval_ms => 0)");

        var received = await NotificationsDuringAsync(async () =>
        {
            await Pgmq.SendAsync(Queue, """{"n": 1}""");
            await Pgmq.SendAsync(Queue, """{"n": 2}""");
        });

        Assert.Equal([Channel, Channel], received);
    }

    [Fact]
    public async Task A_throttle_interval_allows_one_notification_per_interval()
    {
        await Pgmq.ExecuteAsync("SELECT pgmq.enable_notify_insert(queue_name => 'jobs', throttle_interval_ms => 3600000)");

        var received = await NotificationsDuringAsync(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                await Pgmq.SendAsync(Queue, """{"n": 1}""");
            }
        });

        Assert.Equal([Channel], received);
        Assert.Equal(3600000, await Pgmq.ScalarAsync<int>("SELECT throttle_interval_ms FROM pgmq.notify_insert_throttle WHERE queue_name = 'jobs'"));
    }

    [Fact]
    public async Task Disabled_notifications_stop_and_the_throttle_row_goes()
    {
        await Pgmq.ExecuteAsync("SELECT pgmq.enable_notify_insert(queue_name => 'jobs')");
        await Pgmq.ExecuteAsync("SELECT pgmq.disable_notify_insert(queue_name => 'jobs')");

        var received = await NotificationsDuringAsync(() => Pgmq.SendAsync(Queue, """{"n": 1}"""));

        Assert.Empty(received);
        Assert.Equal(0, await Pgmq.ScalarAsync<long>("SELECT count(*) FROM pgmq.notify_insert_throttle"));
    }

    [Fact]
    public async Task Dropping_the_queue_removes_its_throttle_row()
    {
        await Pgmq.ExecuteAsync("SELECT pgmq.enable_notify_insert(queue_name => 'jobs')");

        await Pgmq.DropQueueAsync(Queue);

        Assert.Equal(0, await Pgmq.ScalarAsync<long>("SELECT count(*) FROM pgmq.notify_insert_throttle"));
    }

    [Fact]
    public async Task Enabling_notifications_fails_for_a_missing_queue_or_a_negative_interval()
    {
        await Assert.ThrowsAsync<PostgresException>(() => Pgmq.ExecuteAsync("SELECT pgmq.enable_notify_insert(queue_name => 'never_created')"));
        await Assert.ThrowsAsync<PostgresException>(() => Pgmq.ExecuteAsync("SELECT pgmq.enable_notify_insert(queue_name => 'jobs', throttle_interval_ms => -1)"));

        Assert.Equal(0, await Pgmq.ScalarAsync<long>("SELECT count(*) FROM pgmq.notify_insert_throttle"));
    }

    // Listens on the queue's channel while `act` runs, then collects what arrived. A final NOTIFY from the
    // sending session marks the end: one session's notifications arrive in the order it committed them.
    private async Task<List<string>> NotificationsDuringAsync(Func<Task> act)
    {
        var listener = await ConnectAsync();
        var received = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Connection.Notification += (_, e) =>
        {
            if (e.Channel == "test_done")
            {
                done.TrySetResult();
            }
            else
            {
                received.Add(e.Channel);
            }
        };
        await listener.ExecuteAsync($"LISTEN \"{Channel}\"");
        await listener.ExecuteAsync("LISTEN test_done");

        await act();
        await Pgmq.ExecuteAsync("NOTIFY test_done");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!done.Task.IsCompleted)
        {
            await listener.Connection.WaitAsync(timeout.Token);
        }

        return received;
    }
}
