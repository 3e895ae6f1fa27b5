namespace GpuDev.Pgmq.ContractTests;

public sealed class PopTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    private const string Queue = "jobs";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Pgmq.CreateAsync(Queue);
    }

    [Fact]
    public async Task Pop_returns_the_oldest_visible_message_and_removes_it()
    {
        var first = await Pgmq.SendAsync(Queue, """{"n": 1}""");
        var second = await Pgmq.SendAsync(Queue, """{"n": 2}""");

        var popped = Assert.Single(await Pgmq.PopAsync(Queue));

        Assert.Equal(first, popped.MsgId);
        AssertJson.Equal("""{"n": 1}""", popped.Message);
        Assert.Equal(second, Assert.Single(await Pgmq.PopAsync(Queue)).MsgId);
        Assert.Empty(await Pgmq.PopAsync(Queue));
        Assert.Equal(0, (await Pgmq.MetricsAsync(Queue)).QueueLength);
        Assert.Equal(0, await Pgmq.ScalarAsync<long>($"SELECT count(*) FROM pgmq.a_{Queue}"));
    }

    [Fact]
    public async Task Pop_skips_messages_that_are_not_visible()
    {
        await Pgmq.SendAsync(Queue, """{"n": 1}""", delaySeconds: 3600);

        Assert.Empty(await Pgmq.PopAsync(Queue));
        Assert.Equal(1, (await Pgmq.MetricsAsync(Queue)).QueueLength);
    }

    [Fact]
    public async Task Pop_with_qty_removes_up_to_qty_messages()
    {
        var ids = await Pgmq.SendBatchAsync(Queue, ["""{"n": 1}""", """{"n": 2}""", """{"n": 3}"""]);

        var popped = await Pgmq.PopAsync(Queue, qty: 2);

        Assert.Equal(ids.Take(2), popped.Select(m => m.MsgId).Order());
        Assert.Equal(1, (await Pgmq.MetricsAsync(Queue)).QueueLength);
    }
}
