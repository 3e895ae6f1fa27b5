using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using GpuDev.Api.Authentication;
using GpuDev.Api.Infrastructure;
using GpuDev.Api.Models.Jobs;
using GpuDev.Database;
using GpuDev.Database.Queues;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.Api.Apis;

/// <summary>Jobs (reservations): submit, list, read, and the actions the reservation processor carries out.</summary>
public static class JobsApi
{
    // ssh_command as production's API derives it (only for an active job with a pod), not the stored column.
    // ReadJob reads these columns in this order.
    private const string JobColumns =
        """
        reservation_id AS job_id, reservation_id, user_id, status, gpu_type, gpu_count, instance_type, duration_hours,
        created_at, launched_at, expires_at, name, pod_name, node_ip, node_port,
        CASE WHEN pod_name IS NOT NULL AND status = 'active' THEN 'ssh ' || pod_name END AS ssh_command,
        coalesce(jupyter_enabled, false) AS jupyter_enabled, jupyter_url, jupyter_token, github_user, disk_name, failure_reason,
        current_detailed_status
        """;

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/jobs").WithTags("Jobs").RequireAuthorization(AuthorizationPolicies.ApiKey);
        api.MapPost("/submit", SubmitAsync).WithName("SubmitJob").WithSummary("Queue a GPU reservation: the row and its create_reservation message in one transaction.");
        api.MapGet("/", ListAsync).WithName("ListJobs").WithSummary("The caller's jobs, newest first.");
        api.MapGet("/{job_id}", GetAsync).WithName("GetJob").WithSummary("One of the caller's jobs.");
        api.MapPost("/{job_id}/cancel", CancelAsync).WithName("CancelJob").WithSummary("Ask the processor to cancel the job.");
        api.MapPost("/{job_id}/extend", ExtendAsync).WithName("ExtendJob").WithSummary("Ask the processor to extend a queued or active job.");
        api.MapPost("/{job_id}/jupyter/enable", EnableJupyterAsync).WithName("EnableJupyter").WithSummary("Ask the processor to start Jupyter Lab.");
        api.MapPost("/{job_id}/jupyter/disable", DisableJupyterAsync).WithName("DisableJupyter").WithSummary("Ask the processor to stop Jupyter Lab.");
        api.MapPost("/{job_id}/users", AddUserAsync).WithName("AddJobUser").WithSummary("Ask the processor to add a GitHub user's SSH keys.");
        return app;
    }

    public static async Task<Results<Ok<SubmitJobResponse>, ProblemHttpResult>> SubmitAsync(
        SubmitJobRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, GpuTypeCatalog catalog, IOptions<JobQueueOptions> queueOptions,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var (job, error) = JobSubmission.Resolve(await catalog.ActiveTypesAsync(cancellationToken), request);
        if (job is null)
        {
            // A rejection must reflect the table as it is now, not the in-memory copy.
            (job, error) = JobSubmission.Resolve(await catalog.FreshActiveTypesAsync(cancellationToken), request);
        }

        // The insert re-checks the resolved type; when the copy was stale it inserts nothing and the
        // request is resolved again against the table (a second change in between is a conflict).
        for (var attempt = 1; job is not null; attempt++)
        {
            var (typeCurrent, messageId) = await InsertAndSendAsync(dataSource, request, job, user.Username(), queueOptions.Value,
                clock.GetUtcNow(), cancellationToken);
            if (typeCurrent)
            {
                return messageId is null
                    ? Problems.Conflict($"A job with id '{job.JobId}' already exists. Submit without env_vars.RESERVATION_ID (or with a new UUID) to create another job.")
                    : TypedResults.Ok(new SubmitJobResponse(job.JobId, ReservationStatuses.Queued, $"Job submitted successfully to queue (message ID: {messageId})", null));
            }

            if (attempt == 2)
            {
                return Problems.Conflict($"GPU type '{job.GpuType}' changed while the job was being submitted. Submit again.");
            }

            (job, error) = JobSubmission.Resolve(await catalog.FreshActiveTypesAsync(cancellationToken), request);
        }

        return Problems.BadRequest(error!);
    }

    /// <summary>
    /// Inserts the reservation row and sends its create_reservation message in one statement, which is
    /// one transaction: the row and its message exist together or not at all. Inserts nothing when the
    /// resolved GPU type is no longer active as resolved (TypeCurrent false), or when the reservation id
    /// exists already (MessageId null), so nothing is sent either.
    /// </summary>
    private static async Task<(bool TypeCurrent, long? MessageId)> InsertAndSendAsync(
        NpgsqlDataSource dataSource, SubmitJobRequest request, ResolvedJob job, string username, JobQueueOptions queueOptions,
        DateTimeOffset submittedAt, CancellationToken cancellationToken)
    {
        var message = new CreateReservationMessage
        {
            JobId = job.JobId,
            ReservationId = job.JobId,
            UserId = username,
            Username = username,
            GpuType = job.GpuType,
            GpuCount = job.GpuCount,
            InstanceType = request.InstanceType ?? job.InstanceType,
            Dockerimage = request.Image,
            DurationHours = request.DurationHours,
            DiskName = request.DiskName,
            DiskSizeGb = request.DiskSizeGb,
            EnvVars = request.EnvVars ?? [],
            Command = request.Command,
            Name = job.PodName ?? $"gpu-dev-{job.JobId[..8]}",
            Version = CreateReservationMessage.CurrentCliVersion,
            GithubUser = job.GithubUser ?? "",
            JupyterEnabled = job.JupyterEnabled,
            SubmittedAt = submittedAt,
            CreatedAt = submittedAt,
            Metadata = new MessageMetadata { CreatedAt = submittedAt, MaxRetries = queueOptions.MaxRetries },
        };

        await using var command = dataSource.CreateCommand(
            $"""
            WITH current_type AS (
                SELECT EXISTS (SELECT 1 FROM gpu_types
                               WHERE gpu_type = @gpuType AND instance_type = @instanceType AND max_gpus = @maxGpus AND is_active) AS ok),
            inserted AS (
                INSERT INTO reservations (reservation_id, user_id, status, gpu_type, gpu_count, instance_type, duration_hours,
                                          created_at, name, github_user, pod_name, jupyter_enabled, disk_name)
                SELECT @id, @user, @status, @gpuType, @gpuCount, @instanceType, @duration,
                       @submittedAt, @name, @githubUser, @podName, @jupyter, @diskName
                FROM current_type WHERE ok
                ON CONFLICT (reservation_id) DO NOTHING
                RETURNING reservation_id)
            SELECT ok, (SELECT {Pgmq.SendCall} FROM inserted) FROM current_type
            """);
        command.Parameters.AddRange(new NpgsqlParameter[]
        {
            new("id", job.JobId), new("user", username), new("status", ReservationStatuses.Queued),
            new("gpuType", job.GpuType), new("gpuCount", job.GpuCount), new("instanceType", job.InstanceType), new("maxGpus", job.Type.MaxGpus),
            new("duration", (double)request.DurationHours), new("submittedAt", submittedAt),
            new("name", (object?)request.Name ?? DBNull.Value), new("githubUser", (object?)job.GithubUser ?? DBNull.Value),
            new("podName", (object?)job.PodName ?? DBNull.Value), new("jupyter", job.JupyterEnabled),
            new("diskName", (object?)request.DiskName ?? DBNull.Value), new("queue", QueueNames.GpuReservations),
        });
        command.Parameters.AddRange(Pgmq.Message(message));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetBoolean(0), await reader.IsDBNullAsync(1, cancellationToken) ? null : reader.GetInt64(1));
    }

    public static async Task<Results<Ok<JobListResponse>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken cancellationToken,
        string? status = null,
        [Range(1, 500)] int limit = 50,
        [Range(0, int.MaxValue)] int offset = 0)
    {
        string[]? statuses = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            statuses = status.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var unknown = statuses.Where(s => !ReservationStatuses.All.Contains(s)).ToList();
            if (unknown.Count > 0)
            {
                return Problems.BadRequest($"Unknown status filter '{string.Join(",", unknown)}'. Use a comma-separated list of: {string.Join(", ", ReservationStatuses.All)}.");
            }
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var username = user.Username();
        const string where = "WHERE user_id = @user AND (@statuses::text[] IS NULL OR status = ANY(@statuses::text[]))";
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM reservations {where}", connection);
        var total = await count.With("user", username).With("statuses", statuses).QueryScalarAsync<long>(cancellationToken);
        await using var page = new NpgsqlCommand(
            $"SELECT {JobColumns} FROM reservations {where} ORDER BY created_at DESC, reservation_id LIMIT @limit OFFSET @offset", connection);
        var jobs = await page.With("user", username).With("statuses", statuses).With("limit", limit).With("offset", offset)
            .QueryListAsync(ReadJob, cancellationToken);
        return TypedResults.Ok(new JobListResponse(jobs, total, limit, offset));
    }

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> GetAsync(
        [FromRoute(Name = "job_id")] string jobId, ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var (found, problem) = await JobLookup.ResolveAsync(dataSource, jobId, user.Username(), JobLookup.ViewDenied, cancellationToken);
        if (found is null)
        {
            return problem!;
        }

        await using var command = dataSource.CreateCommand($"SELECT {JobColumns} FROM reservations WHERE reservation_id = @id");
        var job = await command.With("id", found.ReservationId).QuerySingleOrDefaultAsync(ReadJob, cancellationToken);
        return job is null ? JobLookup.NotFound(jobId) : TypedResults.Ok(job);
    }

    public static Task<Results<Ok<JobActionResponse>, ProblemHttpResult>> CancelAsync(
        [FromRoute(Name = "job_id")] string jobId, ClaimsPrincipal user, JobActionSender sender, CancellationToken cancellationToken) =>
        sender.SendAsync(jobId, user.Username(), ReservationActions.Cancel, ReservationStatuses.Live, JobLookup.CancelDenied,
            "Cancellation request submitted", cancellationToken);

    public static Task<Results<Ok<JobActionResponse>, ProblemHttpResult>> ExtendAsync(
        [FromRoute(Name = "job_id")] string jobId, ExtendJobRequest request, ClaimsPrincipal user, JobActionSender sender, CancellationToken cancellationToken) =>
        sender.SendAsync(jobId, user.Username(), ReservationActions.Extend, [ReservationStatuses.Queued, ReservationStatuses.Active], JobLookup.ExtendDenied,
            $"Extension request submitted for {request.ExtensionHours} hours", cancellationToken, extensionHours: request.ExtensionHours);

    public static Task<Results<Ok<JobActionResponse>, ProblemHttpResult>> EnableJupyterAsync(
        [FromRoute(Name = "job_id")] string jobId, ClaimsPrincipal user, JobActionSender sender, CancellationToken cancellationToken) =>
        sender.SendAsync(jobId, user.Username(), ReservationActions.EnableJupyter, ReservationStatuses.Live, JobLookup.ModifyDenied,
            "Jupyter enable request submitted", cancellationToken);

    public static Task<Results<Ok<JobActionResponse>, ProblemHttpResult>> DisableJupyterAsync(
        [FromRoute(Name = "job_id")] string jobId, ClaimsPrincipal user, JobActionSender sender, CancellationToken cancellationToken) =>
        sender.SendAsync(jobId, user.Username(), ReservationActions.DisableJupyter, ReservationStatuses.Live, JobLookup.ModifyDenied,
            "Jupyter disable request submitted", cancellationToken);

    public static Task<Results<Ok<JobActionResponse>, ProblemHttpResult>> AddUserAsync(
        [FromRoute(Name = "job_id")] string jobId, AddJobUserRequest request, ClaimsPrincipal user, JobActionSender sender, CancellationToken cancellationToken) =>
        sender.SendAsync(jobId, user.Username(), ReservationActions.AddUser, ReservationStatuses.Live, JobLookup.ModifyDenied,
            $"Add user request submitted for GitHub user '{request.GithubUsername}'", cancellationToken, githubUsername: request.GithubUsername);

    private static JobResponse ReadJob(NpgsqlDataReader row) => new()
    {
        JobId = row.GetString(0),
        ReservationId = row.GetString(1),
        UserId = row.GetString(2),
        Status = row.GetString(3),
        GpuType = row.GetNullableString(4),
        GpuCount = row.GetNullable<int>(5),
        InstanceType = row.GetNullableString(6),
        DurationHours = row.GetDouble(7),
        CreatedAt = row.GetDateTime(8),
        LaunchedAt = row.GetNullable<DateTime>(9),
        ExpiresAt = row.GetNullable<DateTime>(10),
        Name = row.GetNullableString(11),
        PodName = row.GetNullableString(12),
        NodeIp = row.GetNullableString(13),
        NodePort = row.GetNullable<int>(14),
        SshCommand = row.GetNullableString(15),
        JupyterEnabled = row.GetBoolean(16),
        JupyterUrl = row.GetNullableString(17),
        JupyterToken = row.GetNullableString(18),
        GithubUser = row.GetNullableString(19),
        DiskName = row.GetNullableString(20),
        FailureReason = row.GetNullableString(21),
        CurrentDetailedStatus = row.GetNullableString(22),
    };
}

/// <summary>Sends an action on one of the caller's jobs to <c>gpu_reservations</c> if the job's status allows it.</summary>
public sealed class JobActionSender(NpgsqlDataSource dataSource, IOptions<JobQueueOptions> queueOptions, TimeProvider clock)
{
    public async Task<Results<Ok<JobActionResponse>, ProblemHttpResult>> SendAsync(
        string jobId, string username, string action, IReadOnlyList<string> allowedStatuses, string deniedDetail, string text,
        CancellationToken cancellationToken, int? extensionHours = null, string? githubUsername = null)
    {
        var (found, problem) = await JobLookup.ResolveAsync(dataSource, jobId, username, deniedDetail, cancellationToken);
        if (found is null)
        {
            return problem!;
        }

        var id = found.ReservationId;
        var message = new ReservationActionMessage
        {
            Action = action,
            JobId = id,
            ReservationId = id,
            UserId = username,
            Username = username,
            ExtensionHours = extensionHours,
            GithubUsername = githubUsername,
            RequestedAt = clock.GetUtcNow(),
            Metadata = new MessageMetadata { CreatedAt = clock.GetUtcNow(), MaxRetries = queueOptions.Value.MaxRetries },
        };

        // The status check and the send are one statement, so no status change slips between them.
        await using var command = dataSource.CreateCommand(
            $"SELECT {Pgmq.SendCall} FROM reservations WHERE reservation_id = @jobId AND user_id = @username AND status = ANY(@allowed)");
        command.Parameters.AddRange(new NpgsqlParameter[]
        {
            new("jobId", id), new("username", username), new("allowed", allowedStatuses.ToArray()), new("queue", QueueNames.GpuReservations),
        });
        command.Parameters.AddRange(Pgmq.Message(message));
        if (await command.ExecuteScalarAsync(cancellationToken) is long messageId)
        {
            return TypedResults.Ok(new JobActionResponse(id, action, "requested", $"{text} (message ID: {messageId})"));
        }

        // Nothing sent: say why, from the row as it is now.
        var (current, _) = await JobLookup.ResolveAsync(dataSource, id, username, deniedDetail, cancellationToken);
        return current is null
            ? JobLookup.NotFound(jobId)
            : Problems.Conflict($"Job '{id}' is {current.Status}; '{action}' applies only to jobs that are {string.Join(" or ", allowedStatuses)}.");
    }
}
