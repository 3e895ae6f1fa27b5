namespace GpuDev.Pgmq.ContractTests;

public sealed class SendBatchTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    private const string Queue = "jobs";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Pgmq.CreateAsync(Queue);
    }

    [Fact]
    public async Task Send_batch_returns_one_increasing_id_per_message_in_order()
    {
        var ids = await Pgmq.SendBatchAsync(Queue, ["""{"n": 0}""", """{"n": 1}""", """{"n": 2}"""]);

        Assert.Equal(3, ids.Count);
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(3, ids.Distinct().Count());
        var messages = (await Pgmq.ReadAsync(Queue, vt: 30, qty: 10)).OrderBy(m => m.MsgId).ToList();
        Assert.Equal(ids, messages.Select(m => m.MsgId));
        for (var i = 0; i < 3; i++)
        {
            AssertJson.Equal($$"""{"n": {{i}}}""", messages[i].Message);
        }
    }

    [Fact]
    public async Task Send_batch_with_a_delay_in_seconds_hides_every_message()
    {
        await Pgmq.SendBatchAsync(Queue, ["""{"n": 0}""", """{"n": 1}"""], delaySeconds: 3600);

        Assert.Empty(await Pgmq.ReadAsync(Queue, vt: 30, qty: 10));
        var metrics = await Pgmq.MetricsAsync(Queue);
        Assert.Equal(2, metrics.QueueLength);
        Assert.Equal(0, metrics.QueueVisibleLength);
    }

    [Fact]
    public async Task Send_batch_with_a_timestamp_delay_hides_every_message_until_then()
    {
        await Pgmq.SendBatchAsync(Queue, ["""{"n": 0}""", """{"n": 1}"""], visibleAt: DateTimeOffset.UtcNow.AddDays(1));

        Assert.Empty(await Pgmq.ReadAsync(Queue, vt: 30, qty: 10));
        Assert.Equal(2, await Pgmq.ScalarAsync<long>($"SELECT count(*) FROM pgmq.q_{Queue} WHERE vt > now() + interval '23 hours'"));
    }

    [Fact]
    public async Task Send_batch_with_headers_pairs_each_header_with_its_message()
    {
        var ids = await Pgmq.SendBatchAsync(Queue, ["""{"n": 0}""", """{"n": 1}"""], headers: ["""{"h": 0}""", """{"h": 1}"""]);

        var messages = (await Pgmq.ReadAsync(Queue, vt: 30, qty: 10)).OrderBy(m => m.MsgId).ToList();

        Assert.Equal(ids, messages.Select(m => m.MsgId));
        AssertJson.Equal("""{"h": 0}""", messages[0].Headers);
        AssertJson.Equal("""{"h": 1}""", messages[1].Headers);
    }

    [Fact]
    public async Task Send_batch_with_headers_and_a_delay_hides_them_and_keeps_the_headers()
    {
        var ids = await Pgmq.SendBatchAsync(Queue, ["""{"n": 0}""", """{"n": 1}"""], headers: ["""{"h": 0}""", """{"h": 1}"""], delaySeconds: 3600);

        Assert.Empty(await Pgmq.ReadAsync(Queue, vt: 30, qty: 10));
        foreach (var id in ids)
        {
            await Pgmq.SetVtAsync(Queue, id, vt: 0);
        }

        var messages = await Pgmq.ReadAsync(Queue, vt: 30, qty: 10);
        AssertJson.Equal("""{"h": 1}""", messages.Single(m => m.MsgId == ids[1]).Headers);
    }

    [Fact]
    public async Task Send_batch_with_fewer_headers_than_messages_stores_null_headers_for_the_rest()
    {
        var ids = await Pgmq.SendBatchAsync(Queue, ["""{"n": 0}""", """{"n": 1}""", """{"n": 2}"""], headers: ["""{"h": 0}"""]);

        var messages = (await Pgmq.ReadAsync(Queue, vt: 30, qty: 10)).OrderBy(m => m.MsgId).ToList();

        Assert.Equal(ids, messages.Select(m => m.MsgId));
        AssertJson.Equal("""{"h": 0}""", messages[0].Headers);
        Assert.Null(messages[1].Headers);
        Assert.Null(messages[2].Headers);
    }

    [Fact]
    public async Task Send_batch_with_more_headers_than_messages_stores_an_extra_message_that_is_null()
    {
        var ids = await Pgmq.SendBatchAsync(Queue, ["""{"n": 0}"""], headers: ["""{"h": 0}""", """{"h": 1}"""]);

        var messages = (await Pgmq.ReadAsync(Queue, vt: 30, qty: 10)).OrderBy(m => m.MsgId).ToList();

        Assert.Equal(2, ids.Count);
        Assert.Equal(ids, messages.Select(m => m.MsgId));
        AssertJson.Equal("""{"n": 0}""", messages[0].Message);
        Assert.Null(messages[1].Message);
        AssertJson.Equal("""{"h": 1}""", messages[1].Headers);
    }
}
