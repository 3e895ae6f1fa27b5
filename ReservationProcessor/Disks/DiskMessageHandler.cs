using Dapper;
using GpuDev.Database.Queues;
using GpuDev.ReservationProcessor.Queues;
using GpuDev.ReservationProcessor.Telemetry;
using Npgsql;

namespace GpuDev.ReservationProcessor.Disks;

/// <summary>
/// Completes <c>disk_operations</c> (create_disk, delete_disk) on the disks row and sets the operation status the
/// CLI polls (GET /v1/disks/{name}/operations/{id}: completed or failed). Production's local set-up has no
/// consumer for this queue, so its operations never complete; in the cloud its processor does what this does to
/// the row and, in addition, tags EBS snapshots. Renaming is not queued: production's API renames synchronously.
/// </summary>
public sealed partial class DiskMessageHandler(ProcessorTelemetry telemetry, ILogger<DiskMessageHandler> logger) : IQueueMessageHandler
{
    public const string Completed = "completed";
    public const string Failed = "failed";

    public string Queue => QueueNames.DiskOperations;

    public async Task<MessageOutcome> HandleAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PgmqMessage message, CancellationToken cancellationToken)
    {
        var request = MessageJson.Read<DiskOperationMessage>(message.Body);
        if (!Guid.TryParse(request.OperationId, out _))
        {
            throw new PoisonMessageException($"operation_id '{request.OperationId}' is not a UUID.");
        }

        return request.Action switch
        {
            DiskActions.CreateDisk => await CreateAsync(connection, transaction, request, cancellationToken),
            DiskActions.DeleteDisk => await DeleteAsync(connection, transaction, request, cancellationToken),
            _ => throw new PoisonMessageException($"Unknown disk action '{request.Action}'. {QueueNames.DiskOperations} takes: {DiskActions.CreateDisk}, {DiskActions.DeleteDisk}."),
        };
    }

    /// <summary>The operation the message carried fails, with the reason, so the CLI's poll ends.</summary>
    public async Task<MessageOutcome> GiveUpAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PgmqMessage message, string reason, CancellationToken cancellationToken)
    {
        DiskOperationMessage request;
        try
        {
            request = MessageJson.Read<DiskOperationMessage>(message.Body);
        }
        catch (PoisonMessageException)
        {
            return MessageOutcome.Done("archived");
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE disks SET operation_status = @failed, operation_error = @error WHERE operation_id::text = @operationId",
            new { failed = Failed, error = $"The disk operation could not be processed: {reason}. Try the operation again.", operationId = request.OperationId },
            transaction, cancellationToken: cancellationToken));
        return MessageOutcome.Done("archived");
    }

    private async Task<MessageOutcome> CreateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DiskOperationMessage request, CancellationToken cancellationToken)
    {
        // The API inserted the row with its operation; a message from another producer may come without one.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            WITH updated AS (
                UPDATE disks SET operation_status = @completed, operation_error = NULL, size_gb = coalesce(size_gb, @sizeGb),
                                 ebs_volume_id = coalesce(ebs_volume_id, 'vol-simulated-' || left(replace(disk_id::text, '-', ''), 17))
                WHERE user_id = @userId AND disk_name = @diskName AND operation_id::text = @operationId
                RETURNING 1)
            INSERT INTO disks (disk_name, user_id, size_gb, operation_id, operation_status, ebs_volume_id)
            SELECT @diskName, @userId, @sizeGb, @operationId::uuid, @completed, 'vol-simulated-' || left(md5(@operationId), 17)
            WHERE NOT EXISTS (SELECT 1 FROM updated)
            ON CONFLICT (user_id, disk_name) DO NOTHING
            """,
            new { completed = Completed, userId = request.UserId, diskName = request.DiskName, operationId = request.OperationId, sizeGb = request.SizeGb }, transaction, cancellationToken: cancellationToken));
        LogCreated(request.DiskName, request.UserId, request.OperationId);
        return MessageOutcome.Done("disk-created");
    }

    private async Task<MessageOutcome> DeleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DiskOperationMessage request, CancellationToken cancellationToken)
    {
        var disk = await connection.QuerySingleOrDefaultAsync<DiskUse>(new CommandDefinition(
            "SELECT coalesce(in_use, false) AS InUse, reservation_id AS ReservationId FROM disks WHERE user_id = @UserId AND disk_name = @DiskName AND NOT coalesce(is_deleted, false) FOR UPDATE",
            new { request.UserId, request.DiskName }, transaction, cancellationToken: cancellationToken));
        if (disk is null)
        {
            LogDeleteIgnored(request.DiskName, request.UserId);
            return MessageOutcome.Done("ignored");
        }

        if (disk.InUse)
        {
            // Attached after the API queued the deletion: refuse, keep the data, say what to do.
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE disks SET operation_status = @failed, operation_error = @error WHERE user_id = @UserId AND disk_name = @DiskName",
                new
                {
                    failed = Failed,
                    request.UserId,
                    request.DiskName,
                    error = $"Disk '{request.DiskName}' is in use by reservation {disk.ReservationId}; cancel that reservation, then delete the disk again.",
                },
                transaction, cancellationToken: cancellationToken));
            telemetry.Failures.Add(1, new KeyValuePair<string, object?>("queue", Queue), new KeyValuePair<string, object?>("kind", "disk-in-use"));
            return MessageOutcome.Done("failed");
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE disks SET is_deleted = true, delete_date = coalesce(@DeleteDate::date, (now() + interval '30 days')::date),
                             operation_id = @OperationId::uuid, operation_status = @completed, operation_error = NULL
            WHERE user_id = @UserId AND disk_name = @DiskName
            """,
            new { completed = Completed, request.UserId, request.DiskName, request.DeleteDate, request.OperationId }, transaction, cancellationToken: cancellationToken));
        LogDeleted(request.DiskName, request.UserId, request.DeleteDate);
        return MessageOutcome.Done("disk-deleted");
    }

    private sealed record DiskUse(bool InUse, string? ReservationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disk {DiskName} of {UserId} created (operation {OperationId})")]
    private partial void LogCreated(string diskName, string userId, string operationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disk {DiskName} of {UserId} marked deleted (removed on {DeleteDate})")]
    private partial void LogDeleted(string diskName, string userId, string? deleteDate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "delete_disk for {DiskName} of {UserId} dropped: no such disk, or already deleted")]
    private partial void LogDeleteIgnored(string diskName, string userId);
}
