using System.Globalization;
using System.Security.Claims;
using GpuDev.Api.Authentication;
using GpuDev.Api.Infrastructure;
using GpuDev.Api.Models;
using GpuDev.Api.Models.Disks;
using GpuDev.Database.Queues;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.Api.Apis;

/// <summary>Persistent disks. Create and delete are queued for the disk processor; the row records the operation.</summary>
public static class DisksApi
{
    /// <summary>Production keeps a deleted disk's snapshots this long.</summary>
    public const int DeleteRetentionDays = 30;

    /// <summary>The columns <see cref="ReadDisk"/> reads, in its order.</summary>
    private const string DiskColumns =
        """
        disk_name, user_id, size_gb, disk_size, created_at, last_used, coalesce(in_use, false) AS in_use, reservation_id,
        coalesce(is_backing_up, false) AS is_backing_up, coalesce(is_deleted, false) AS is_deleted,
        delete_date::timestamp AS delete_date, coalesce(snapshot_count, 0) AS snapshot_count, operation_id, operation_status, operation_error, last_updated
        """;

    public static IEndpointRouteBuilder MapDisksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/disks").WithTags("Disks").RequireAuthorization(AuthorizationPolicies.ApiKey);
        api.MapGet("/", ListAsync).WithName("ListDisks").WithSummary("The caller's disks that are not marked for deletion, newest first.");
        api.MapGet("/{disk_name}", GetAsync).WithName("GetDisk").WithSummary("One of the caller's disks, with its latest operation.");
        api.MapPost("/", CreateAsync).WithName("CreateDisk").WithSummary("Queue the creation of a disk (size optional).");
        api.MapDelete("/{disk_name}", DeleteAsync).WithName("DeleteDisk").WithSummary("Queue the deletion of a disk that is not in use.");
        api.MapGet("/{disk_name}/operations/{operation_id}", GetOperationAsync).WithName("GetDiskOperation").WithSummary("The state of a create or delete operation.");
        api.MapGet("/{disk_name}/content", GetContentAsync).WithName("GetDiskContent").WithSummary("The file listing of the disk's latest snapshot.");
        api.MapPost("/{disk_name}/rename", RenameAsync).WithName("RenameDisk").WithSummary("Rename a disk that is not in use.");
        return app;
    }

    public static async Task<Ok<DiskListResponse>> ListAsync(ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {DiskColumns} FROM disks WHERE user_id = @user AND NOT coalesce(is_deleted, false) ORDER BY created_at DESC, disk_name");
        var disks = await command.With("user", user.Username()).QueryListAsync(ReadDisk, cancellationToken);
        return TypedResults.Ok(new DiskListResponse(disks, disks.Count));
    }

    public static async Task<Results<Ok<DiskResponse>, ProblemHttpResult>> GetAsync(
        [FromRoute(Name = "disk_name")] string diskName, ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var disk = await FindAsync(dataSource, diskName, user.Username(), cancellationToken);
        return disk is null ? DiskNotFound(diskName) : TypedResults.Ok(disk);
    }

    public static async Task<Results<Ok<DiskOperationResponse>, ProblemHttpResult>> CreateAsync(
        CreateDiskRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, IOptions<JobQueueOptions> queueOptions,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!DiskNames.IsValid(request.DiskName))
        {
            return Problems.BadRequest(DiskNames.PatternMessage);
        }

        var username = user.Username();
        var now = clock.GetUtcNow();
        var message = new DiskOperationMessage
        {
            Action = DiskActions.CreateDisk,
            OperationId = Guid.NewGuid().ToString(),
            DiskName = request.DiskName!,
            UserId = username,
            SizeGb = request.SizeGb,
            RequestedAt = now,
            Metadata = new MessageMetadata { CreatedAt = now, MaxRetries = queueOptions.Value.MaxRetries },
        };

        // The row (with its operation) and the message commit together; an existing name inserts and sends nothing.
        var messageId = await ExecuteWithMessageAsync(dataSource,
            $"""
            WITH inserted AS (
                INSERT INTO disks (disk_name, user_id, size_gb, operation_id, operation_status)
                VALUES (@diskName, @user, @sizeGb, @operationId::uuid, 'pending')
                ON CONFLICT (user_id, disk_name) DO NOTHING
                RETURNING disk_id)
            SELECT {Pgmq.SendCall} FROM inserted
            """,
            message, cancellationToken,
            new("diskName", message.DiskName), new("user", username),
            new("sizeGb", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)request.SizeGb ?? DBNull.Value },
            new("operationId", message.OperationId));
        if (messageId is null)
        {
            return Problems.Conflict($"Disk '{message.DiskName}' already exists. Pick another name, or delete that disk first.");
        }

        return TypedResults.Ok(new DiskOperationResponse(
            message.OperationId, message.DiskName, "create", "Disk creation request queued successfully", now));
    }

    public static async Task<Results<Ok<DiskOperationResponse>, ProblemHttpResult>> DeleteAsync(
        [FromRoute(Name = "disk_name")] string diskName, ClaimsPrincipal user, NpgsqlDataSource dataSource, IOptions<JobQueueOptions> queueOptions,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var username = user.Username();
        var now = clock.GetUtcNow();
        var message = new DiskOperationMessage
        {
            Action = DiskActions.DeleteDisk,
            OperationId = Guid.NewGuid().ToString(),
            DiskName = diskName,
            UserId = username,
            DeleteDate = now.UtcDateTime.AddDays(DeleteRetentionDays).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            RequestedAt = now,
            Metadata = new MessageMetadata { CreatedAt = now, MaxRetries = queueOptions.Value.MaxRetries },
        };

        // The in-use check, the operation on the row and the message are one statement: no attach can slip between them.
        var messageId = await ExecuteWithMessageAsync(dataSource,
            $"""
            WITH target AS (
                UPDATE disks SET operation_id = @operationId::uuid, operation_status = 'pending', operation_error = NULL
                WHERE user_id = @user AND disk_name = @diskName AND NOT coalesce(is_deleted, false) AND NOT coalesce(in_use, false)
                RETURNING disk_id)
            SELECT {Pgmq.SendCall} FROM target
            """,
            message, cancellationToken,
            new("diskName", diskName), new("user", username), new("operationId", message.OperationId));
        if (messageId is null)
        {
            var disk = await FindAsync(dataSource, diskName, username, cancellationToken);
            return disk switch
            {
                null => DiskNotFound(diskName),
                { IsDeleted: true } => Problems.Conflict($"Disk '{diskName}' is already marked for deletion (on {disk.DeleteDate:yyyy-MM-dd})."),
                _ => Problems.Conflict($"Disk '{diskName}' is in use by reservation '{disk.ReservationId}'. Cancel that job (POST /v1/jobs/{disk.ReservationId}/cancel) and retry."),
            };
        }

        return TypedResults.Ok(new DiskOperationResponse(
            message.OperationId, diskName, "delete",
            $"Disk deletion request queued successfully. Will be deleted on {message.DeleteDate}", now));
    }

    public static async Task<Results<Ok<DiskOperationStatusResponse>, ProblemHttpResult>> GetOperationAsync(
        [FromRoute(Name = "disk_name")] string diskName, [FromRoute(Name = "operation_id")] string operationId,
        ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT @operationId AS operation_id, disk_name, coalesce(operation_status, 'unknown') AS status, operation_error AS error,
                   is_deleted, to_char(delete_date, 'YYYY-MM-DD') AS delete_date, created_at, last_updated,
                   coalesce(operation_status IN ('completed', 'failed'), false) AS completed
            FROM disks WHERE user_id = @user AND disk_name = @diskName AND operation_id::text = @operationId
            """);
        var operation = await command.With("user", user.Username()).With("diskName", diskName).With("operationId", operationId)
            .QuerySingleOrDefaultAsync(static row => new DiskOperationStatusResponse
            {
                OperationId = row.GetString(0),
                DiskName = row.GetString(1),
                Status = row.GetString(2),
                Error = row.GetNullableString(3),
                IsDeleted = row.GetNullable<bool>(4),
                DeleteDate = row.GetNullableString(5),
                CreatedAt = row.GetNullable<DateTime>(6),
                LastUpdated = row.GetNullable<DateTime>(7),
                Completed = row.GetBoolean(8),
            }, cancellationToken);
        return operation is null
            ? Problems.NotFound($"Operation '{operationId}' not found for disk '{diskName}'")
            : TypedResults.Ok(operation);
    }

    public static async Task<Results<Ok<DiskContentResponse>, ProblemHttpResult>> GetContentAsync(
        [FromRoute(Name = "disk_name")] string diskName, ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT latest_snapshot_content_s3, last_snapshot_at, coalesce(is_deleted, false) FROM disks WHERE user_id = @user AND disk_name = @diskName");
        var disk = await command.With("user", user.Username()).With("diskName", diskName)
            .QuerySingleOrDefaultAsync(static row => new DiskSnapshot(row.GetNullableString(0), row.GetNullable<DateTime>(1), row.GetBoolean(2)), cancellationToken);
        if (disk is null)
        {
            return DiskNotFound(diskName);
        }

        if (disk.IsDeleted)
        {
            return TypedResults.Problem($"Disk '{diskName}' is marked for deletion", statusCode: StatusCodes.Status410Gone, title: "Gone");
        }

        // The listing itself lives in S3, which this environment has no access to: say where it is and why it is not shown.
        return TypedResults.Ok(disk.S3Path is null
            ? new DiskContentResponse(diskName, null, null, null,
                "This disk has no snapshot listing yet: one is recorded when a snapshot of the disk is taken.")
            : new DiskContentResponse(diskName, null, disk.S3Path, disk.SnapshotAt,
                "The snapshot listing is stored in S3, which this local environment does not read."));
    }

    public static async Task<Results<Ok<RenameDiskResponse>, ProblemHttpResult>> RenameAsync(
        [FromRoute(Name = "disk_name")] string diskName, RenameDiskRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource,
        CancellationToken cancellationToken)
    {
        var newName = request.NewName!;
        if (!DiskNames.IsValid(newName))
        {
            return Problems.BadRequest(DiskNames.PatternMessage);
        }

        var username = user.Username();
        int renamed;
        try
        {
            await using var command = dataSource.CreateCommand(
                """
                UPDATE disks SET disk_name = $1, last_updated = now()
                WHERE user_id = $2 AND disk_name = $3 AND NOT coalesce(is_deleted, false) AND NOT coalesce(in_use, false)
                """);
            command.Parameters.Add(new() { Value = newName });
            command.Parameters.Add(new() { Value = username });
            command.Parameters.Add(new() { Value = diskName });
            renamed = await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problems.Conflict($"Disk '{newName}' already exists");
        }

        if (renamed == 1)
        {
            return TypedResults.Ok(new RenameDiskResponse($"Disk renamed from '{diskName}' to '{newName}' (no snapshots found)", diskName, newName, 0));
        }

        var disk = await FindAsync(dataSource, diskName, username, cancellationToken);
        return disk switch
        {
            null => DiskNotFound(diskName),
            { IsDeleted: true } => TypedResults.Problem($"Cannot rename disk '{diskName}' - it is marked for deletion", statusCode: StatusCodes.Status410Gone, title: "Gone"),
            _ => Problems.Conflict($"Cannot rename disk '{diskName}' - it is currently in use by reservation {disk.ReservationId}"),
        };
    }

    private static async Task<object?> ExecuteWithMessageAsync(
        NpgsqlDataSource dataSource, string sql, DiskOperationMessage message, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        command.Parameters.Add(new NpgsqlParameter("queue", QueueNames.DiskOperations));
        command.Parameters.AddRange(Pgmq.Message(message));
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<DiskResponse?> FindAsync(NpgsqlDataSource dataSource, string diskName, string username, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {DiskColumns} FROM disks WHERE user_id = @username AND disk_name = @diskName");
        return await command.With("diskName", diskName).With("username", username).QuerySingleOrDefaultAsync(ReadDisk, cancellationToken);
    }

    private static DiskResponse ReadDisk(NpgsqlDataReader row) => new()
    {
        DiskName = row.GetString(0),
        UserId = row.GetString(1),
        SizeGb = row.GetNullable<int>(2),
        DiskSize = row.GetNullableString(3),
        CreatedAt = row.GetNullable<DateTime>(4),
        LastUsed = row.GetNullable<DateTime>(5),
        InUse = row.GetBoolean(6),
        ReservationId = row.GetNullableString(7),
        IsBackingUp = row.GetBoolean(8),
        IsDeleted = row.GetBoolean(9),
        DeleteDate = row.GetNullable<DateTime>(10),
        SnapshotCount = row.GetInt32(11),
        OperationId = row.GetNullable<Guid>(12),
        OperationStatus = row.GetNullableString(13),
        OperationError = row.GetNullableString(14),
        LastUpdated = row.GetNullable<DateTime>(15),
    };

    /// <summary>What the content listing needs of a disk's row.</summary>
    private sealed record DiskSnapshot(string? S3Path, DateTime? SnapshotAt, bool IsDeleted);

    private static ProblemHttpResult DiskNotFound(string diskName) => Problems.NotFound($"Disk '{diskName}' not found");
}
