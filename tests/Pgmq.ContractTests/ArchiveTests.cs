namespace GpuDev.Pgmq.ContractTests;

public sealed class ArchiveTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    private const string Queue = "jobs";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Pgmq.CreateAsync(Queue);
    }

    [Fact]
    public async Task Archive_of_one_id_moves_the_row_to_the_archive_table_with_archived_at()
    {
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""", headers: """{"h": 1}""");
        var read = Assert.Single(await Pgmq.ReadAsync(Queue, vt: 3600, qty: 1));
        var before = await Pgmq.ScalarAsync<DateTime>("SELECT clock_timestamp()");

        Assert.True(await Pgmq.ArchiveAsync(Queue, id));
        var after = await Pgmq.ScalarAsync<DateTime>("SELECT clock_timestamp()");

        Assert.Equal(0, (await Pgmq.MetricsAsync(Queue)).QueueLength);
        var archived = Assert.Single(await ArchivedAsync());
        Assert.Equal(id, archived.MsgId);
        Assert.Equal(1, archived.ReadCt);
        Assert.Equal(read.EnqueuedAt, archived.EnqueuedAt);
        AssertJson.Equal("""{"n": 1}""", System.Text.Json.Nodes.JsonNode.Parse(archived.Message));
        AssertJson.Equal("""{"h": 1}""", System.Text.Json.Nodes.JsonNode.Parse(archived.Headers!));
        // archived_at is the time of the archiving transaction.
        Assert.InRange(archived.ArchivedAt, new DateTimeOffset(before).AddSeconds(-1), new DateTimeOffset(after));
        Assert.False(await Pgmq.ArchiveAsync(Queue, id));
    }

    [Fact]
    public async Task Archive_of_an_id_array_moves_the_existing_ids_and_returns_them()
    {
        var ids = await Pgmq.SendBatchAsync(Queue, ["""{"n": 1}""", """{"n": 2}""", """{"n": 3}"""]);

        var moved = await Pgmq.ArchiveAsync(Queue, [ids[0], ids[1], 999_999]);

        Assert.Equal([ids[0], ids[1]], moved.Order());
        Assert.Equal([ids[0], ids[1]], (await ArchivedAsync()).Select(a => a.MsgId).Order());
        Assert.Equal(ids[2], Assert.Single(await Pgmq.ReadAsync(Queue, vt: 30, qty: 10)).MsgId);
    }

    private sealed record ArchivedRow(long MsgId, long ReadCt, DateTimeOffset EnqueuedAt, DateTimeOffset ArchivedAt, string Message, string? Headers);

    private Task<List<ArchivedRow>> ArchivedAsync() => Pgmq.QueryAsync(
        $"SELECT msg_id, read_ct, enqueued_at, archived_at, message::text, headers::text FROM pgmq.a_{Queue} ORDER BY msg_id",
        r => new ArchivedRow(r.GetInt64(0), r.GetInt32(1), r.GetFieldValue<DateTimeOffset>(2), r.GetFieldValue<DateTimeOffset>(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)));
}
