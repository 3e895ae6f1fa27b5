namespace GpuDev.Pgmq.ContractTests;

public sealed class DeleteTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    private const string Queue = "jobs";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Pgmq.CreateAsync(Queue);
    }

    [Fact]
    public async Task Delete_of_one_id_removes_the_message_and_returns_true_once()
    {
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""");
        var other = await Pgmq.SendAsync(Queue, """{"n": 2}""");

        Assert.True(await Pgmq.DeleteAsync(Queue, id));
        Assert.False(await Pgmq.DeleteAsync(Queue, id));

        Assert.Equal(other, Assert.Single(await Pgmq.ReadAsync(Queue, vt: 30, qty: 10)).MsgId);
        Assert.Equal(0, await Pgmq.ScalarAsync<long>($"SELECT count(*) FROM pgmq.a_{Queue}"));
    }

    [Fact]
    public async Task Delete_works_on_a_message_that_is_being_processed()
    {
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""");
        await Pgmq.ReadAsync(Queue, vt: 3600, qty: 1);

        Assert.True(await Pgmq.DeleteAsync(Queue, id));
        Assert.Equal(0, (await Pgmq.MetricsAsync(Queue)).QueueLength);
    }

    [Fact]
    public async Task Delete_of_an_id_array_returns_only_the_ids_that_existed()
    {
        var ids = await Pgmq.SendBatchAsync(Queue, ["""{"n": 1}""", """{"n": 2}""", """{"n": 3}"""]);

        var deleted = await Pgmq.DeleteAsync(Queue, [ids[0], ids[2], 999_999]);

        Assert.Equal([ids[0], ids[2]], deleted.Order());
        Assert.Equal(ids[1], Assert.Single(await Pgmq.ReadAsync(Queue, vt: 30, qty: 10)).MsgId);
        Assert.Empty(await Pgmq.DeleteAsync(Queue, [ids[0]]));
    }
}
