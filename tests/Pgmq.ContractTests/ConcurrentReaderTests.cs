namespace GpuDev.Pgmq.ContractTests;

public sealed class ConcurrentReaderTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    private const string Queue = "jobs";

    [Fact]
    public async Task Parallel_readers_never_receive_the_same_message_and_together_receive_all()
    {
        const int messageCount = 200;
        const int readerCount = 8;
        await Pgmq.CreateAsync(Queue);
        var sent = await Pgmq.SendBatchAsync(Queue, Enumerable.Range(0, messageCount).Select(i => $$"""{"n": {{i}}}""").ToList());
        var readers = new List<PgmqClient>();
        for (var i = 0; i < readerCount; i++)
        {
            readers.Add(await ConnectAsync());
        }

        // All readers start together, each on its own connection, and read until the queue looks empty.
        using var start = new SemaphoreSlim(0);
        var reading = readers.Select(reader => Task.Run(async () =>
        {
            await start.WaitAsync();
            var received = new List<long>();
            while (true)
            {
                var batch = await reader.ReadAsync(Queue, vt: 3600, qty: 3);
                if (batch.Count == 0)
                {
                    return received;
                }

                received.AddRange(batch.Select(m => m.MsgId));
            }
        })).ToList();
        start.Release(readerCount);
        var perReader = await Task.WhenAll(reading);

        var all = perReader.SelectMany(ids => ids).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(sent.Order(), all.Order());
        Assert.Equal(0, await Pgmq.ScalarAsync<long>($"SELECT count(*) FROM pgmq.q_{Queue} WHERE read_ct <> 1"));
    }
}
