using GpuDev.Database;
using GpuDev.Database.Queues;

namespace GpuDev.ReservationProcessor.Tests;

/// <summary>The simulated cluster's capacity: gpu_types.total_cluster_gpus on nodes of max_per_node GPUs.</summary>
[Collection(PostgresServerGroup.Name)]
public sealed class CapacityTests(PostgresServerFixture fixture) : ProcessorTest(fixture)
{
    [Fact]
    public async Task When_capacity_is_exhausted_a_reservation_queues_with_position_and_wait_then_starts_when_another_is_cancelled()
    {
        await StartProcessorAsync();
        // t4-small: one node with one GPU.
        var first = await Database.SubmitAsync("t4-small", 1, hours: 4);
        await Database.WaitForStatusAsync(first.ReservationId, ReservationStatuses.Active);
        var second = await Database.SubmitAsync("t4-small", 1);
        var third = await Database.SubmitAsync("t4-small", 1);

        var queued = await Database.WaitForStatusAsync(third.ReservationId, ReservationStatuses.Queued);
        var queuedFirst = await Database.WaitForStatusAsync(second.ReservationId, ReservationStatuses.Queued);
        Assert.Contains("position #1 in queue", queuedFirst.CurrentDetailedStatus, StringComparison.Ordinal);
        Assert.Contains("position #2 in queue", queued.CurrentDetailedStatus, StringComparison.Ordinal);
        // The first reservation frees its GPU in four hours.
        Assert.Matches("estimated wait 2(39|40) min", queuedFirst.CurrentDetailedStatus);

        await Database.SendActionAsync(ReservationActions.Cancel, first.ReservationId[..8]);

        await Database.WaitForStatusAsync(first.ReservationId, ReservationStatuses.Cancelled);
        await Database.WaitForStatusAsync(second.ReservationId, ReservationStatuses.Active);
        var stillQueued = await Database.WaitForStatusAsync(third.ReservationId, ReservationStatuses.Queued);
        Assert.Contains("position #1 in queue", stillQueued.CurrentDetailedStatus, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_reservation_frees_its_gpus_for_the_queue()
    {
        await StartProcessorAsync();
        var first = await Database.SubmitAsync("t4-small", 1);
        await Database.WaitForStatusAsync(first.ReservationId, ReservationStatuses.Active);
        var second = await Database.SubmitAsync("t4-small", 1);
        await Database.WaitForStatusAsync(second.ReservationId, ReservationStatuses.Queued);

        await Database.ExecuteAsync("UPDATE reservations SET expires_at = now() WHERE reservation_id = @id", new { id = first.ReservationId });

        await Database.WaitForStatusAsync(first.ReservationId, ReservationStatuses.Expired);
        await Database.WaitForStatusAsync(second.ReservationId, ReservationStatuses.Active);
    }

    [Fact]
    public async Task A_request_larger_than_the_free_gpus_queues_saying_how_many_are_free()
    {
        await StartProcessorAsync();
        // t4: 8 GPUs on two nodes of 4.
        var four = await Database.SubmitAsync("t4", 4);
        var two = await Database.SubmitAsync("t4", 2);
        await Database.WaitForStatusAsync(four.ReservationId, ReservationStatuses.Active);
        await Database.WaitForStatusAsync(two.ReservationId, ReservationStatuses.Active);

        var another = await Database.SubmitAsync("t4", 4);

        var queued = await Database.WaitForStatusAsync(another.ReservationId, ReservationStatuses.Queued);
        Assert.Contains("Need 4 T4 GPUs, only 2 available - position #1 in queue", queued.CurrentDetailedStatus, StringComparison.Ordinal);
        var small = await Database.SubmitAsync("t4", 2);
        await Database.WaitForStatusAsync(small.ReservationId, ReservationStatuses.Active);
    }

    [Fact]
    public async Task A_multinode_reservation_waits_for_all_its_nodes_and_starts_them_together()
    {
        await StartProcessorAsync();
        var master = Guid.NewGuid().ToString();
        var node0 = await SendNodeAsync(master, 0, 2);

        // Alone, the first node waits (pending) for its partner, while later reservations go ahead.
        await Database.WaitForStatusAsync(node0, ReservationStatuses.Pending);
        var later = await Database.SubmitAsync();
        await Database.WaitForStatusAsync(later.ReservationId, ReservationStatuses.Active);
        Assert.Equal(ReservationStatuses.Pending, (await Database.ReservationAsync(node0)).Status);

        var node1 = await SendNodeAsync(master, 1, 2);

        var first = await Database.WaitForStatusAsync(node0, ReservationStatuses.Active);
        var second = await Database.WaitForStatusAsync(node1, ReservationStatuses.Active);
        Assert.Equal(master, first.MasterReservationId);
        Assert.NotEqual(first.NodePort, second.NodePort);
    }

    [Fact]
    public async Task A_multinode_reservation_that_does_not_fit_whole_starts_no_node()
    {
        await StartProcessorAsync();
        // t4 has two nodes of 4 GPUs: a three-node reservation of 4 each cannot start, not even partly.
        var master = Guid.NewGuid().ToString();
        var nodes = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            nodes.Add(await SendNodeAsync(master, i, 3));
        }

        foreach (var node in nodes)
        {
            var queued = await Database.WaitForStatusAsync(node, ReservationStatuses.Queued);
            Assert.Contains("Need 12 T4 GPUs, only 8 available", queued.CurrentDetailedStatus, StringComparison.Ordinal);
        }

        Assert.Equal(0, await Database.CountAsync("SELECT count(*) FROM reservations WHERE status IN ('preparing', 'active')"));
    }

    private async Task<string> SendNodeAsync(string master, int index, int total)
    {
        var id = $"{master}-{index}";
        var message = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(ProcessorDatabase.NewCreate(id, "alice", "t4", 4, 1)))!.AsObject();
        message["is_multinode"] = true;
        message["master_reservation_id"] = master;
        message["node_index"] = index;
        message["total_nodes"] = total;
        await Database.SendAsync(QueueNames.GpuReservations, message.ToJsonString());
        return id;
    }
}
