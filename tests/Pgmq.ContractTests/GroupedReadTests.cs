using System.Diagnostics;

namespace GpuDev.Pgmq.ContractTests;

/// <summary>
/// FIFO group reads: a message's group is its <c>x-pgmq-group</c> header (no header: one default group),
/// and within a group messages are handed out strictly in order.
/// </summary>
public sealed class GroupedReadTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    private const string Queue = "jobs";

    private readonly Dictionary<string, long> _ids = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Pgmq.CreateAsync(Queue);
        // Sent in this order: a1 a2 b1 a3 b2 d1 (d1 has no group header).
        foreach (var (name, group) in new[] { ("a1", "A"), ("a2", "A"), ("b1", "B"), ("a3", "A"), ("b2", "B"), ("d1", null) })
        {
            _ids[name] = await Pgmq.SendAsync(Queue, $$"""{"name": "{{name}}"}""", group is null ? null : $$"""{"x-pgmq-group": "{{group}}"}""");
        }
    }

    [Fact]
    public async Task Read_grouped_fills_the_batch_from_the_oldest_group_first()
    {
        var batch = await Pgmq.ReadGroupedAsync("read_grouped", Queue, vt: 30, qty: 4);

        Assert.Equal(Ids("a1", "a2", "a3", "b1"), Sorted(batch));
    }

    [Fact]
    public async Task Read_grouped_returns_nothing_of_a_group_while_an_earlier_message_of_it_is_in_flight()
    {
        await Pgmq.ReadGroupedAsync("read_grouped", Queue, vt: 30, qty: 4);

        var next = await Pgmq.ReadGroupedAsync("read_grouped", Queue, vt: 30, qty: 10);

        // b2 waits for b1; only the default group's d1 is free.
        Assert.Equal(Ids("d1"), Sorted(next));
    }

    [Fact]
    public async Task Read_grouped_rr_takes_one_message_of_each_group_in_turn()
    {
        var batch = await Pgmq.ReadGroupedAsync("read_grouped_rr", Queue, vt: 30, qty: 4);

        Assert.Equal(Ids("a1", "a2", "b1", "d1"), Sorted(batch));
    }

    [Fact]
    public async Task Read_grouped_rr_serves_a_group_again_once_its_earlier_messages_are_deleted()
    {
        await Pgmq.ReadGroupedAsync("read_grouped_rr", Queue, vt: 30, qty: 4);
        Assert.Empty(await Pgmq.ReadGroupedAsync("read_grouped_rr", Queue, vt: 30, qty: 10));

        await Pgmq.DeleteAsync(Queue, [_ids["a1"], _ids["a2"]]);

        Assert.Equal(Ids("a3"), Sorted(await Pgmq.ReadGroupedAsync("read_grouped_rr", Queue, vt: 30, qty: 10)));
    }

    [Theory]
    [InlineData("read_grouped")]
    [InlineData("read_grouped_rr")]
    public async Task Grouped_reads_apply_the_conditional(string function)
    {
        var batch = await Pgmq.ReadGroupedAsync(function, Queue, vt: 30, qty: 10, conditional: """{"name": "a1"}""");

        Assert.Equal(Ids("a1"), Sorted(batch));
    }

    [Theory]
    [InlineData("read_grouped")]
    [InlineData("read_grouped_rr")]
    public async Task Grouped_reads_with_poll_return_at_once_when_messages_wait_and_nothing_with_max_poll_seconds_0(string function)
    {
        Assert.Empty(await Pgmq.ReadGroupedAsync(function, Queue, vt: 30, qty: 1, maxPollSeconds: 0));

        var clock = Stopwatch.StartNew();
        var batch = await Pgmq.ReadGroupedAsync(function, Queue, vt: 30, qty: 1, maxPollSeconds: 5);

        Assert.Equal(Ids("a1"), Sorted(batch));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Theory]
    [InlineData("read_grouped")]
    [InlineData("read_grouped_rr")]
    public async Task Grouped_reads_with_poll_return_nothing_after_max_poll_seconds_when_every_group_is_in_flight(string function)
    {
        await Pgmq.ReadAsync(Queue, vt: 3600, qty: 10);
        var clock = Stopwatch.StartNew();

        var batch = await Pgmq.ReadGroupedAsync(function, Queue, vt: 30, qty: 1, maxPollSeconds: 1, pollIntervalMs: 100);

        Assert.Empty(batch);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Create_fifo_index_adds_a_gin_index_on_headers_and_create_fifo_indexes_all_covers_every_queue()
    {
        await Pgmq.CreateAsync("other");

        await Pgmq.ExecuteAsync("SELECT pgmq.create_fifo_index(queue_name => 'jobs')");
        await Pgmq.ExecuteAsync("SELECT pgmq.create_fifo_indexes_all()");
        await Pgmq.ExecuteAsync("SELECT pgmq.create_fifo_indexes_all()");

        var indexes = await Pgmq.QueryAsync(
            "SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'pgmq' AND indexname LIKE '%fifo%' ORDER BY indexname",
            r => r.GetString(0));
        Assert.Equal(2, indexes.Count);
        Assert.StartsWith("q_jobs_fifo_idx ", indexes[0], StringComparison.Ordinal);
        Assert.StartsWith("q_other_fifo_idx ", indexes[1], StringComparison.Ordinal);
        Assert.All(indexes, index => Assert.Contains("USING gin (headers)", index, StringComparison.Ordinal));
    }

    private long[] Ids(params string[] names) => names.Select(n => _ids[n]).Order().ToArray();

    private static long[] Sorted(IEnumerable<QueueMessage> messages) => messages.Select(m => m.MsgId).Order().ToArray();
}
