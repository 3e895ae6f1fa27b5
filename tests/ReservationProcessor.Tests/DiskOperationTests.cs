using System.Text.Json;
using GpuDev.Database;
using GpuDev.Database.Queues;

namespace GpuDev.ReservationProcessor.Tests;

/// <summary>disk_operations: the operation the CLI polls completes and the disks row follows it.</summary>
[Collection(PostgresServerGroup.Name)]
public sealed class DiskOperationTests(PostgresServerFixture fixture) : ProcessorTest(fixture)
{
    [Fact]
    public async Task Create_then_delete_complete_their_operations_on_the_disks_row()
    {
        await StartProcessorAsync();
        var create = await QueueAsync(DiskActions.CreateDisk, "scratch", "INSERT INTO disks (disk_name, user_id, size_gb, operation_id, operation_status) VALUES ('scratch', 'alice', 100, @op::uuid, 'pending')");

        await Database.WaitForCountAsync("SELECT count(*) FROM disks WHERE operation_id = @op::uuid AND operation_status = 'completed'", 1, new { op = create });
        Assert.Equal(1, await Database.CountAsync("SELECT count(*) FROM disks WHERE disk_name = 'scratch' AND ebs_volume_id LIKE 'vol-simulated-%' AND size_gb = 100 AND NOT is_deleted"));

        var delete = await QueueAsync(DiskActions.DeleteDisk, "scratch", "UPDATE disks SET operation_id = @op::uuid, operation_status = 'pending' WHERE disk_name = 'scratch'");

        await Database.WaitForCountAsync("SELECT count(*) FROM disks WHERE operation_id = @op::uuid AND operation_status = 'completed'", 1, new { op = delete });
        Assert.Equal(1, await Database.CountAsync("SELECT count(*) FROM disks WHERE disk_name = 'scratch' AND is_deleted AND delete_date = '2027-01-01'"));
    }

    [Fact]
    public async Task Deleting_a_disk_that_became_in_use_fails_the_operation_and_keeps_the_disk()
    {
        await StartProcessorAsync();
        var reservation = await Database.SubmitAsync(diskName: "busy");
        await Database.WaitForStatusAsync(reservation.ReservationId, ReservationStatuses.Active);

        var delete = await QueueAsync(DiskActions.DeleteDisk, "busy", "UPDATE disks SET operation_id = @op::uuid, operation_status = 'pending' WHERE disk_name = 'busy'");

        await Database.WaitForCountAsync("SELECT count(*) FROM disks WHERE operation_id = @op::uuid AND operation_status = 'failed'", 1, new { op = delete });
        Assert.Equal(1, await Database.CountAsync(
            "SELECT count(*) FROM disks WHERE disk_name = 'busy' AND NOT is_deleted AND operation_error LIKE @error",
            new { error = $"Disk 'busy' is in use by reservation {reservation.ReservationId}; cancel that reservation, then delete the disk again." }));
    }

    [Fact]
    public async Task A_create_from_another_producer_without_a_row_creates_the_disk()
    {
        await StartProcessorAsync();
        var op = await QueueAsync(DiskActions.CreateDisk, "fresh", rowSql: null);

        await Database.WaitForCountAsync("SELECT count(*) FROM disks WHERE disk_name = 'fresh' AND operation_id = @op::uuid AND operation_status = 'completed'", 1, new { op });
    }

    private async Task<string> QueueAsync(string action, string diskName, string? rowSql)
    {
        var operationId = Guid.NewGuid().ToString();
        if (rowSql is not null)
        {
            await Database.ExecuteAsync(rowSql, new { op = operationId });
        }

        await Database.SendAsync(QueueNames.DiskOperations, JsonSerializer.Serialize(new DiskOperationMessage
        {
            Action = action,
            OperationId = operationId,
            UserId = "alice",
            DiskName = diskName,
            SizeGb = action == DiskActions.CreateDisk ? 100 : null,
            DeleteDate = action == DiskActions.DeleteDisk ? "2027-01-01" : null,
            RequestedAt = DateTimeOffset.UtcNow,
            Metadata = new MessageMetadata { CreatedAt = DateTimeOffset.UtcNow, MaxRetries = 3 },
        }));
        return operationId;
    }
}
