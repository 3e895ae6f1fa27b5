using System.Globalization;
using System.Security.Claims;
using Dapper;
using GpuDev.Api.Authentication;
using GpuDev.Api.Infrastructure;
using GpuDev.Api.Models;
using GpuDev.Api.Models.Disks;
using GpuDev.Database;
using GpuDev.Database.Queues;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace GpuDev.Api.Apis;

/// <summary>Persistent disks. Create and delete are queued for the disk processor; the row records the operation.</summary>
public static class DisksApi
{
    /// <summary>Production keeps a deleted disk's snapshots this long.</summary>
    public const int DeleteRetentionDays = 30;

    private const string DiskColumns =
        """
        disk_name, user_id, size_gb, disk_size, created_at, last_used, in_use, reservation_id, is_backing_up, is_deleted,
        delete_date::timestamp AS delete_date, snapshot_count, operation_id, operation_status, operation_error, last_updated
        """;

    public static IEndpointRouteBuilder MapDisksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/disks").WithTags("Disks").RequireAuthorization(AuthorizationPolicies.ApiKey);
        api.MapGet("/", ListAsync).WithName("ListDisks").WithSummary("The caller's disks.");
        api.MapGet("/{disk_name}", GetAsync).WithName("GetDisk").WithSummary("One of the caller's disks, with its latest operation.");
        api.MapPost("/", CreateAsync).WithName("CreateDisk").WithSummary("Queue the creation of a disk.");
        api.MapDelete("/{disk_name}", DeleteAsync).WithName("DeleteDisk").WithSummary("Queue the deletion of a disk that is not in use.");
        return app;
    }

    public static async Task<Ok<DiskListResponse>> ListAsync(ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var disks = (await connection.QueryAsync<DiskResponse>(new CommandDefinition(
            $"SELECT {DiskColumns} FROM disks WHERE user_id = @user ORDER BY disk_name",
            new { user = user.Username() },
            cancellationToken: cancellationToken))).ToList();
        return TypedResults.Ok(new DiskListResponse(disks, disks.Count));
    }

    public static async Task<Results<Ok<DiskResponse>, ProblemHttpResult>> GetAsync(
        [FromRoute(Name = "disk_name")] string diskName, ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (!DiskNames.IsValid(diskName))
        {
            return Problems.BadRequest(DiskNames.PatternMessage);
        }

        var disk = await FindAsync(dataSource, diskName, user.Username(), cancellationToken);
        return disk is null ? DiskNotFound(diskName) : TypedResults.Ok(disk);
    }

    public static async Task<Results<Ok<DiskOperationResponse>, ProblemHttpResult>> CreateAsync(
        CreateDiskRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, IOptions<JobQueueOptions> queueOptions,
        IOptions<JsonOptions> json, TimeProvider clock, CancellationToken cancellationToken)
    {
        var username = user.Username();
        var message = new DiskOperationMessage
        {
            Action = DiskActions.CreateDisk,
            OperationId = Guid.NewGuid().ToString(),
            DiskName = request.DiskName!,
            UserId = username,
            SizeGb = request.SizeGb,
            RequestedAt = clock.GetUtcNow(),
            Metadata = new MessageMetadata { CreatedAt = clock.GetUtcNow(), MaxRetries = queueOptions.Value.MaxRetries },
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
            message, json.Value, cancellationToken,
            new("diskName", message.DiskName), new("user", username), new("sizeGb", request.SizeGb!.Value), new("operationId", message.OperationId));
        if (messageId is null)
        {
            return Problems.Conflict($"You already have a disk named '{message.DiskName}'. Pick another name, or delete that disk first.");
        }

        return TypedResults.Ok(new DiskOperationResponse(
            message.OperationId, message.DiskName, "create", "Disk creation request queued successfully", message.RequestedAt));
    }

    public static async Task<Results<Ok<DiskOperationResponse>, ProblemHttpResult>> DeleteAsync(
        [FromRoute(Name = "disk_name")] string diskName, ClaimsPrincipal user, NpgsqlDataSource dataSource, IOptions<JobQueueOptions> queueOptions,
        IOptions<JsonOptions> json, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!DiskNames.IsValid(diskName))
        {
            return Problems.BadRequest(DiskNames.PatternMessage);
        }

        var username = user.Username();
        var now = clock.GetUtcNow().UtcDateTime;
        var message = new DiskOperationMessage
        {
            Action = DiskActions.DeleteDisk,
            OperationId = Guid.NewGuid().ToString(),
            DiskName = diskName,
            UserId = username,
            DeleteDate = DateOnly.FromDateTime(now.AddDays(DeleteRetentionDays)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
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
            message, json.Value, cancellationToken,
            new("diskName", diskName), new("user", username), new("operationId", message.OperationId));
        if (messageId is null)
        {
            var disk = await FindAsync(dataSource, diskName, username, cancellationToken);
            return disk switch
            {
                null => DiskNotFound(diskName),
                { IsDeleted: true } => Problems.Conflict($"Disk '{diskName}' is already deleted (on {disk.DeleteDate:yyyy-MM-dd})."),
                _ => Problems.Conflict($"Disk '{diskName}' is in use by reservation '{disk.ReservationId}'. Cancel that job (POST /v1/jobs/{disk.ReservationId}/cancel) and retry."),
            };
        }

        return TypedResults.Ok(new DiskOperationResponse(
            message.OperationId, diskName, "delete",
            $"Disk deletion request queued successfully. Will be deleted on {message.DeleteDate}", now));
    }

    private static async Task<object?> ExecuteWithMessageAsync(
        NpgsqlDataSource dataSource, string sql, DiskOperationMessage message, JsonOptions json, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        command.Parameters.Add(new NpgsqlParameter("queue", QueueNames.DiskOperations));
        command.Parameters.Add(Pgmq.Message(message, json.SerializerOptions));
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<DiskResponse?> FindAsync(NpgsqlDataSource dataSource, string diskName, string username, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DiskResponse>(new CommandDefinition(
            $"SELECT {DiskColumns} FROM disks WHERE user_id = @username AND disk_name = @diskName",
            new { diskName, username },
            cancellationToken: cancellationToken));
    }

    private static ProblemHttpResult DiskNotFound(string diskName) =>
        Problems.NotFound($"You have no disk named '{diskName}'. GET /v1/disks lists your disks.");
}
