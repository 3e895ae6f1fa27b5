using System.Collections.Concurrent;
using System.Diagnostics;
using GpuDev.Database;
using GpuDev.Database.Queues;

namespace GpuDev.ReservationProcessor.Tests;

/// <summary>PGMQ's semantics as production's poller uses them: delete on success, archive after max_retries reads, nothing lost.</summary>
[Collection(PostgresServerGroup.Name)]
public sealed class QueueSemanticsTests(PostgresServerFixture fixture) : ProcessorTest(fixture)
{
    [Fact]
    public async Task A_poison_message_fails_its_reservation_with_a_reason_and_is_archived_not_lost()
    {
        await StartProcessorAsync();
        var request = await Database.SubmitAsync();
        // A second message for the same reservation that cannot be read as a create (gpu_count is text).
        var poison = System.Text.Json.JsonSerializer.Serialize(ProcessorDatabase.NewCreate(Guid.NewGuid().ToString(), "alice", "cpu-x86", 0, 1))
            .Replace("\"gpu_count\":0", "\"gpu_count\":\"zero\"", StringComparison.Ordinal);
        var id = System.Text.Json.JsonDocument.Parse(poison).RootElement.GetProperty("reservation_id").GetString()!;
        await Database.ExecuteAsync(
            "INSERT INTO reservations (reservation_id, user_id, status, duration_hours, created_at) VALUES (@id, 'alice', 'queued', 1, now())", new { id });
        var msgId = await Database.SendAsync(QueueNames.GpuReservations, poison);

        var failed = await Database.WaitForStatusAsync(id, ReservationStatuses.Failed);

        Assert.Contains("does not have the shape of a CreateReservationMessage", failed.FailureReason, StringComparison.Ordinal);
        Assert.Contains($"pgmq.a_gpu_reservations (msg_id {msgId})", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal(1, await Database.CountAsync("SELECT count(*) FROM pgmq.a_gpu_reservations WHERE msg_id = @msgId AND message->>'gpu_count' = 'zero'", new { msgId }));
        // The good message beside it was processed normally.
        await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Active);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"action\":\"reboot_everything\"}")]
    [InlineData("[1,2,3]")]
    public async Task An_unreadable_or_unknown_message_is_archived_and_the_queue_moves_on(string body)
    {
        await StartProcessorAsync();
        // Not valid JSON cannot be sent as jsonb: wrap it in a JSON string, which is still no message.
        var json = body.StartsWith('{') || body.StartsWith('[') ? body : System.Text.Json.JsonSerializer.Serialize(body);
        await Database.SendAsync(QueueNames.GpuReservations, json);
        var after = await Database.SubmitAsync();

        await Database.WaitForStatusAsync(after.ReservationId, ReservationStatuses.Active);
        await Database.WaitForCountAsync("SELECT count(*) FROM pgmq.a_gpu_reservations", 1);
        Assert.Equal(0, await QueueLengthAsync(QueueNames.GpuReservations));
    }

    [Fact]
    public async Task A_message_read_max_retries_times_is_archived_and_its_reservation_fails()
    {
        var request = await Database.SubmitAsync();
        // Two earlier reads that never finished (a crashed worker): read_ct is 2; the processor's read makes it 3.
        await Database.ExecuteAsync("SELECT * FROM pgmq.read('gpu_reservations', 0, 1)");
        await Database.ExecuteAsync("SELECT * FROM pgmq.read('gpu_reservations', 0, 1)");

        await StartProcessorAsync();

        var failed = await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Failed);
        Assert.Contains("it was read 3 times without being processed (max_retries 3)", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal(1, await ArchiveLengthAsync(QueueNames.GpuReservations));
        Assert.Equal(0, await QueueLengthAsync(QueueNames.GpuReservations));
    }

    [Fact]
    public async Task Two_replicas_handle_each_reservation_exactly_once()
    {
        // A short visibility timeout makes the replicas overlap on messages whose handling is slow.
        var settings = new Dictionary<string, string?> { ["Queues:VisibilityTimeoutSeconds"] = "1", ["Queues:BatchSize"] = "3" };
        await StartProcessorAsync(settings);
        await StartProcessorAsync(settings);
        var requests = new List<CreateReservationMessage>();
        for (var i = 0; i < 40; i++)
        {
            requests.Add(await Database.SubmitAsync(i % 2 == 0 ? "cpu-x86" : "t4", i % 2 == 0 ? 0 : 1));
        }

        await Database.WaitForCountAsync("SELECT count(*) FROM reservations WHERE status IN ('active', 'queued') AND jsonb_array_length(status_history) > 1", 40);
        await Database.WaitForCountAsync("SELECT count(*) FROM reservations WHERE status = 'active'", 28);

        // Each reservation was accepted once, placed once, activated once; t4 (8 GPUs) holds exactly 8 of the 20.
        Assert.Equal(0, await Database.CountAsync(
            """
            SELECT count(*) FROM reservations
            WHERE (SELECT count(*) FROM jsonb_array_elements(status_history) e WHERE e->>'message' = 'Checking GPU availability') <> 1
               OR (SELECT count(*) FROM jsonb_array_elements(status_history) e WHERE e->>'message' LIKE 'Pod % is ready%') > 1
            """));
        Assert.Equal(8, await Database.CountAsync("SELECT count(*) FROM reservations WHERE gpu_type = 't4' AND status = 'active'"));
        Assert.Equal(12, await Database.CountAsync("SELECT count(*) FROM reservations WHERE gpu_type = 't4' AND status = 'queued'"));
        Assert.Equal(28, await Database.CountAsync("SELECT count(DISTINCT node_port) FROM reservations WHERE status = 'active'"));
        Assert.Equal(0, await QueueLengthAsync(QueueNames.GpuReservations));
        Assert.Equal(0, await ArchiveLengthAsync(QueueNames.GpuReservations));
    }

    [Fact]
    public async Task Processing_continues_the_trace_context_from_the_message_headers()
    {
        var activities = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "GpuDev.ReservationProcessor",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await StartProcessorAsync();
        var traceId = ActivityTraceId.CreateRandom();
        var parentSpanId = ActivitySpanId.CreateRandom();

        var request = await Database.SubmitAsync(headers: new Dictionary<string, string>
        {
            ["traceparent"] = $"00-{traceId}-{parentSpanId}-01",
            ["tracestate"] = "gpudev=test",
        });
        await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Active);

        var processing = Assert.Single(activities, a => a.TraceId == traceId);
        Assert.Equal(parentSpanId, processing.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, processing.Kind);
        Assert.Equal("gpu_reservations process", processing.DisplayName);
        Assert.Equal("create_reservation", processing.GetTagItem("gpudev.action"));
        Assert.Equal("gpudev=test", processing.TraceStateString);
    }
}
