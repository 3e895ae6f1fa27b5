using System.Diagnostics;

namespace GpuDev.Pgmq.ContractTests;

public sealed class SendTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    private const string Queue = "jobs";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Pgmq.CreateAsync(Queue);
    }

    [Fact]
    public async Task Send_returns_increasing_ids()
    {
        var first = await Pgmq.SendAsync(Queue, """{"n": 1}""");
        var second = await Pgmq.SendAsync(Queue, """{"n": 2}""");
        var third = await Pgmq.SendAsync(Queue, """{"n": 3}""");

        Assert.True(first < second && second < third, $"ids {first}, {second}, {third}");
    }

    [Fact]
    public async Task Send_without_delay_is_visible_at_once_with_no_headers()
    {
        var id = await Pgmq.SendAsync(Queue, """{"action": "create", "size": 3}""");

        var message = Assert.Single(await Pgmq.ReadAsync(Queue, vt: 30, qty: 1));

        Assert.Equal(id, message.MsgId);
        AssertJson.Equal("""{"size": 3, "action": "create"}""", message.Message);
        Assert.Null(message.Headers);
        Assert.Equal(1, message.ReadCt);
    }

    [Fact]
    public async Task Send_with_a_delay_in_seconds_hides_the_message_until_the_delay_has_passed()
    {
        var clock = Stopwatch.StartNew();
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""", delaySeconds: 1);

        Assert.Empty(await Pgmq.ReadAsync(Queue, vt: 30, qty: 1));
        var messages = await Eventually.ResultAsync(() => Pgmq.ReadAsync(Queue, vt: 30, qty: 1), m => m.Count > 0, TimeSpan.FromSeconds(15), "the delayed message");

        Assert.Equal(id, Assert.Single(messages).MsgId);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"visible after {clock.Elapsed.TotalMilliseconds} ms, delay was 1 s");
    }

    [Fact]
    public async Task Send_with_a_timestamp_delay_hides_the_message_until_that_time()
    {
        var visibleAt = DateTimeOffset.UtcNow.AddDays(1);
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""", visibleAt: visibleAt);

        Assert.Empty(await Pgmq.ReadAsync(Queue, vt: 30, qty: 1));
        var storedVt = await Pgmq.ScalarAsync<DateTime>($"SELECT vt FROM pgmq.q_{Queue} WHERE msg_id = @id", ("id", id));
        Assert.Equal(visibleAt.UtcDateTime, storedVt.ToUniversalTime(), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Send_with_a_timestamp_in_the_past_is_visible_at_once()
    {
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""", visibleAt: DateTimeOffset.UtcNow.AddMinutes(-5));

        Assert.Equal(id, Assert.Single(await Pgmq.ReadAsync(Queue, vt: 30, qty: 1)).MsgId);
    }

    [Fact]
    public async Task Send_with_headers_returns_them_with_the_message()
    {
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""", headers: """{"trace_id": "abc123", "attempt": 1}""");

        var message = Assert.Single(await Pgmq.ReadAsync(Queue, vt: 30, qty: 1));

        Assert.Equal(id, message.MsgId);
        AssertJson.Equal("""{"n": 1}""", message.Message);
        AssertJson.Equal("""{"trace_id": "abc123", "attempt": 1}""", message.Headers);
    }

    [Fact]
    public async Task Send_with_headers_and_a_delay_in_seconds_keeps_both()
    {
        await Pgmq.SendAsync(Queue, """{"n": 1}""", headers: """{"h": 1}""", delaySeconds: 3600);

        Assert.Empty(await Pgmq.ReadAsync(Queue, vt: 30, qty: 1));
        var stored = await Pgmq.QueryAsync($"SELECT headers::text, vt > now() + interval '59 minutes' FROM pgmq.q_{Queue}", r => (Headers: r.GetString(0), Delayed: r.GetBoolean(1)));
        AssertJson.Equal("""{"h": 1}""", System.Text.Json.Nodes.JsonNode.Parse(Assert.Single(stored).Headers));
        Assert.True(stored[0].Delayed);
    }

    [Fact]
    public async Task Send_with_headers_and_a_timestamp_delay_keeps_both()
    {
        var visibleAt = DateTimeOffset.UtcNow.AddHours(2);
        var id = await Pgmq.SendAsync(Queue, """{"n": 1}""", headers: """{"h": 2}""", visibleAt: visibleAt);

        Assert.Empty(await Pgmq.ReadAsync(Queue, vt: 30, qty: 1));
        await Pgmq.SetVtAsync(Queue, id, vt: 0);
        var message = Assert.Single(await Pgmq.ReadAsync(Queue, vt: 30, qty: 1));
        AssertJson.Equal("""{"h": 2}""", message.Headers);
    }
}
