using System.Diagnostics;

namespace GpuDev.Pgmq.ContractTests;

public sealed class ReadWithPollTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    private const string Queue = "jobs";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Pgmq.CreateAsync(Queue);
    }

    [Fact]
    public async Task Read_with_poll_returns_as_soon_as_a_message_sent_from_another_session_arrives()
    {
        var poller = await ConnectAsync();
        var sender = await ConnectAsync();

        var polling = poller.ReadWithPollAsync(Queue, vt: 30, qty: 1, maxPollSeconds: 20, pollIntervalMs: 50);
        // Send only once the poll is running inside the server, so the message really arrives mid-poll.
        await Eventually.ResultAsync(
            () => sender.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE pid = @pid AND state = 'active' AND query LIKE '%read_with_poll%'", ("pid", poller.Connection.ProcessID)),
            count => count == 1,
            TimeSpan.FromSeconds(10),
            "the poller's read_with_poll to be running");
        Assert.False(polling.IsCompleted, "read_with_poll returned before any message was sent");

        var clock = Stopwatch.StartNew();
        var id = await sender.SendAsync(Queue, """{"n": 1}""");
        var messages = await polling;

        Assert.Equal(id, Assert.Single(messages).MsgId);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"returned {clock.Elapsed.TotalSeconds:0.0} s after the send; max_poll_seconds was 20");
    }

    [Fact]
    public async Task Read_with_poll_returns_nothing_after_max_poll_seconds_when_no_message_comes()
    {
        var clock = Stopwatch.StartNew();

        var messages = await Pgmq.ReadWithPollAsync(Queue, vt: 30, qty: 1, maxPollSeconds: 1, pollIntervalMs: 100);

        Assert.Empty(messages);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Read_with_poll_with_its_default_timing_returns_a_waiting_message_at_once_and_hides_it()
    {
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""");
        var clock = Stopwatch.StartNew();

        var message = Assert.Single(await Pgmq.ReadWithPollAsync(Queue, vt: 30, qty: 5));

        Assert.Equal(id, message.MsgId);
        Assert.Equal(1, message.ReadCt);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed.TotalSeconds:0.0} s; the default max_poll_seconds is 5");
        Assert.Empty(await Pgmq.ReadAsync(Queue, vt: 30, qty: 1));
    }

    [Fact]
    public async Task Read_with_poll_returns_a_delayed_message_once_its_delay_passes_during_the_poll()
    {
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""", delaySeconds: 1);
        var clock = Stopwatch.StartNew();

        var messages = await Pgmq.ReadWithPollAsync(Queue, vt: 30, qty: 1, maxPollSeconds: 10, pollIntervalMs: 50);

        Assert.Equal(id, Assert.Single(messages).MsgId);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed.TotalSeconds:0.0} s for a 1 s delay");
    }

    [Fact]
    public async Task Read_with_poll_applies_the_conditional()
    {
        await Pgmq.SendAsync(Queue, """{"type": "a"}""");
        var b = await Pgmq.SendAsync(Queue, """{"type": "b"}""");

        var messages = await Pgmq.ReadWithPollAsync(Queue, vt: 30, qty: 10, maxPollSeconds: 1, pollIntervalMs: 100, conditional: """{"type": "b"}""");

        Assert.Equal(b, Assert.Single(messages).MsgId);
    }

    [Fact]
    public async Task Read_with_poll_with_max_poll_seconds_0_returns_nothing_and_leaves_a_visible_message_unread()
    {
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""");

        var messages = await Pgmq.ReadWithPollAsync(Queue, vt: 30, qty: 1, maxPollSeconds: 0);

        Assert.Empty(messages);
        var unread = Assert.Single(await Pgmq.ReadAsync(Queue, vt: 30, qty: 1));
        Assert.Equal(id, unread.MsgId);
        Assert.Equal(1, unread.ReadCt);
    }

    [Fact]
    public async Task Read_with_poll_finishes_its_last_poll_interval_even_past_max_poll_seconds()
    {
        var clock = Stopwatch.StartNew();

        // Reads at 0 s and 0.7 s, sleeps until 1.4 s, then sees the 1 s deadline has passed.
        var messages = await Pgmq.ReadWithPollAsync(Queue, vt: 30, qty: 1, maxPollSeconds: 1, pollIntervalMs: 700);

        Assert.Empty(messages);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(1350), TimeSpan.FromSeconds(10));
    }
}
