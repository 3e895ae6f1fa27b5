namespace GpuDev.Pgmq.ContractTests;

public sealed class ReadTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    private const string Queue = "jobs";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Pgmq.CreateAsync(Queue);
    }

    [Fact]
    public async Task Read_hides_the_message_for_vt_seconds_then_returns_it_again_with_read_ct_counting_reads()
    {
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""");

        var first = Assert.Single(await Pgmq.ReadAsync(Queue, vt: 1, qty: 1));
        Assert.Equal(1, first.ReadCt);
        Assert.Empty(await Pgmq.ReadAsync(Queue, vt: 1, qty: 1));

        var again = await Eventually.ResultAsync(() => Pgmq.ReadAsync(Queue, vt: 30, qty: 1), m => m.Count > 0, TimeSpan.FromSeconds(15), "the message to become visible again");
        var second = Assert.Single(again);
        Assert.Equal(id, second.MsgId);
        Assert.Equal(2, second.ReadCt);
        Assert.True(second.Vt >= first.Vt, "a new visibility timeout starts at the second read");
    }

    [Fact]
    public async Task Read_sets_vt_to_now_plus_the_visibility_timeout()
    {
        await Pgmq.SendAsync(Queue, """{"n": 1}""");
        var before = await Pgmq.ScalarAsync<DateTime>("SELECT clock_timestamp()");

        var message = Assert.Single(await Pgmq.ReadAsync(Queue, vt: 30, qty: 1));

        Assert.InRange(message.Vt, new DateTimeOffset(before).AddSeconds(30), new DateTimeOffset(before).AddSeconds(40));
        Assert.True(message.EnqueuedAt <= new DateTimeOffset(before));
    }

    [Fact]
    public async Task Read_returns_at_most_qty_messages_choosing_the_oldest()
    {
        var ids = await Pgmq.SendBatchAsync(Queue, Enumerable.Range(0, 5).Select(i => $$"""{"n": {{i}}}""").ToList());

        var firstThree = await Pgmq.ReadAsync(Queue, vt: 30, qty: 3);
        var rest = await Pgmq.ReadAsync(Queue, vt: 30, qty: 10);

        // Which messages, not their row order: UPDATE … RETURNING gives no order, in PGMQ or here.
        Assert.Equal(ids.Take(3), firstThree.Select(m => m.MsgId).Order());
        Assert.Equal(ids.Skip(3), rest.Select(m => m.MsgId).Order());
    }

    [Fact]
    public async Task Read_on_an_empty_queue_returns_nothing()
    {
        Assert.Empty(await Pgmq.ReadAsync(Queue, vt: 30, qty: 10));
    }

    [Fact]
    public async Task Read_with_a_conditional_returns_only_messages_containing_it_and_leaves_the_others_unread()
    {
        var a = await Pgmq.SendAsync(Queue, """{"type": "a"}""");
        var b1 = await Pgmq.SendAsync(Queue, """{"type": "b", "x": 1}""");
        var b2 = await Pgmq.SendAsync(Queue, """{"type": "b", "x": 2, "nested": {"k": "v"}}""");

        var onlyB = await Pgmq.ReadAsync(Queue, vt: 30, qty: 10, conditional: """{"type": "b"}""");
        var nested = await Pgmq.ReadAsync(Queue, vt: 30, qty: 10, conditional: """{"nested": {"k": "v"}}""");
        var rest = await Pgmq.ReadAsync(Queue, vt: 30, qty: 10, conditional: "{}");

        Assert.Equal([b1, b2], onlyB.Select(m => m.MsgId).Order());
        Assert.Empty(nested); // b2 matched, but the first read hid it
        var remaining = Assert.Single(rest);
        Assert.Equal(a, remaining.MsgId);
        Assert.Equal(1, remaining.ReadCt);
    }

    [Fact]
    public async Task Read_without_a_conditional_returns_messages_that_are_not_json_objects()
    {
        var array = await Pgmq.SendAsync(Queue, "[1, 2]");
        var text = await Pgmq.SendAsync(Queue, "\"plain\"");

        var messages = (await Pgmq.ReadAsync(Queue, vt: 30, qty: 10)).OrderBy(m => m.MsgId).ToList();

        Assert.Equal([array, text], messages.Select(m => m.MsgId));
        AssertJson.Equal("[1, 2]", messages[0].Message);
    }

    [Fact]
    public async Task Read_with_a_conditional_matches_nested_values()
    {
        await Pgmq.SendAsync(Queue, """{"type": "b", "meta": {"region": "eu"}}""");
        var us = await Pgmq.SendAsync(Queue, """{"type": "b", "meta": {"region": "us"}}""");

        var matched = await Pgmq.ReadAsync(Queue, vt: 30, qty: 10, conditional: """{"meta": {"region": "us"}}""");

        Assert.Equal(us, Assert.Single(matched).MsgId);
    }
}
