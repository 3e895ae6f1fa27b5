namespace GpuDev.Pgmq.ContractTests;

public sealed class SetVtTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    private const string Queue = "jobs";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Pgmq.CreateAsync(Queue);
    }

    [Fact]
    public async Task Set_vt_zero_makes_a_read_message_visible_again()
    {
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""");
        await Pgmq.ReadAsync(Queue, vt: 3600, qty: 1);
        Assert.Empty(await Pgmq.ReadAsync(Queue, vt: 3600, qty: 1));

        var updated = await Pgmq.SetVtAsync(Queue, id, vt: 0);

        Assert.NotNull(updated);
        Assert.Equal(id, updated.MsgId);
        var reread = Assert.Single(await Pgmq.ReadAsync(Queue, vt: 3600, qty: 1));
        Assert.Equal(id, reread.MsgId);
        Assert.Equal(2, reread.ReadCt);
    }

    [Fact]
    public async Task Set_vt_hides_a_visible_message_and_returns_its_new_vt()
    {
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""");
        var before = await Pgmq.ScalarAsync<DateTime>("SELECT clock_timestamp()");

        var updated = await Pgmq.SetVtAsync(Queue, id, vt: 3600);

        Assert.NotNull(updated);
        Assert.InRange(updated.Vt, new DateTimeOffset(before).AddSeconds(3600), new DateTimeOffset(before).AddSeconds(3610));
        Assert.Equal(0, updated.ReadCt);
        AssertJson.Equal("""{"n": 1}""", updated.Message);
        Assert.Empty(await Pgmq.ReadAsync(Queue, vt: 30, qty: 1));
    }

    [Fact]
    public async Task Set_vt_of_a_message_that_does_not_exist_returns_no_row()
    {
        Assert.Null(await Pgmq.SetVtAsync(Queue, 424242, vt: 0));
    }
}
