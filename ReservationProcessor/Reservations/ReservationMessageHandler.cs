using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using GpuDev.Database;
using GpuDev.Database.Queues;
using GpuDev.ReservationProcessor.Cluster;
using GpuDev.ReservationProcessor.Queues;
using GpuDev.ReservationProcessor.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.ReservationProcessor.Reservations;

/// <summary>
/// Production's reservation handler for <c>gpu_reservations</c>: create_reservation, cancel, extend, enable/disable
/// Jupyter and add_user, applied to the reservations row. Placement and the rest of the lifecycle belong to
/// <see cref="SimulatedCluster"/>.
/// </summary>
public sealed partial class ReservationMessageHandler(
    ProcessorTelemetry telemetry, IOptions<ReservationRulesOptions> rules, ILogger<ReservationMessageHandler> logger) : IQueueMessageHandler
{
    private static readonly string[] LiveStatuses = [.. ReservationStatuses.Live];

    public string Queue => QueueNames.GpuReservations;

    public async Task<MessageOutcome> HandleAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PgmqMessage message, CancellationToken cancellationToken)
    {
        var action = ReadAction(message.Body);

        // Only creates carry (and are checked for) a CLI version. Production also runs its version check on the
        // API's own "extend" messages, which carry none, and so fails every extension: not copied.
        return action switch
        {
            ReservationActions.CreateReservation => await CreateAsync(connection, transaction, message.Body, cancellationToken),
            ReservationActions.Cancel => await CancelAsync(connection, transaction, MessageJson.Read<ReservationActionMessage>(message.Body), cancellationToken),
            ReservationActions.Extend or "extend_reservation" => await ExtendAsync(connection, transaction, MessageJson.Read<ReservationActionMessage>(message.Body), cancellationToken),
            ReservationActions.EnableJupyter or ReservationActions.DisableJupyter =>
                await JupyterAsync(connection, transaction, MessageJson.Read<ReservationActionMessage>(message.Body), cancellationToken),
            ReservationActions.AddUser => await AddUserAsync(connection, transaction, MessageJson.Read<ReservationActionMessage>(message.Body), cancellationToken),
            _ => throw new PoisonMessageException(
                $"Unknown action '{action}'. {QueueNames.GpuReservations} takes: {ReservationActions.CreateReservation}, {ReservationActions.Cancel}, " +
                $"{ReservationActions.Extend}, {ReservationActions.EnableJupyter}, {ReservationActions.DisableJupyter}, {ReservationActions.AddUser}."),
        };
    }

    /// <summary>A create that is given up on fails its reservation with the reason; other actions change nothing.</summary>
    public async Task<MessageOutcome> GiveUpAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PgmqMessage message, string reason, CancellationToken cancellationToken)
    {
        var reservationId = TryReadString(message.Body, "reservation_id");
        if (TryReadString(message.Body, "action") != ReservationActions.CreateReservation || reservationId is null)
        {
            return MessageOutcome.Done("archived");
        }

        var row = await ReservationStore.LockAsync(connection, transaction, reservationId, cancellationToken);
        if (row is null || !LiveStatuses.Contains(row.Status))
        {
            return MessageOutcome.Done("archived");
        }

        var failure = $"The reservation request could not be processed: {reason}. The request is kept in pgmq.a_{QueueNames.GpuReservations} " +
                      $"(msg_id {message.MsgId}); fix the request and submit again.";
        await ReservationStore.SetStatusAsync(connection, transaction, row.ReservationId, ReservationStatuses.Failed, "Request could not be processed", cancellationToken, failure);
        await ReservationStore.ReleaseDiskAsync(connection, transaction, row.ReservationId, cancellationToken);
        CountFailure("unprocessable");
        return MessageOutcome.Done("archived", row.GpuType);
    }

    private async Task<MessageOutcome> CreateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string body, CancellationToken cancellationToken)
    {
        var request = MessageJson.Read<CreateReservationMessage>(body);
        var multinode = MessageJson.Read<MultinodeFields>(body);
        if (string.IsNullOrWhiteSpace(request.ReservationId))
        {
            throw new PoisonMessageException("The create_reservation message has an empty reservation_id.");
        }

        // The API inserted the row as queued with the message; another producer may not have: insert it as
        // production's processor does (pending, name from the message's name).
        var (row, type) = await ReservationStore.LockForCreateAsync(connection, transaction, request.ReservationId, request.GpuType, cancellationToken);
        if (row is null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO reservations (reservation_id, user_id, status, gpu_type, gpu_count, instance_type, duration_hours, created_at,
                                          expires_at, name, github_user, jupyter_enabled, disk_name, cli_version,
                                          is_multinode, master_reservation_id, node_index, total_nodes)
                VALUES (@ReservationId, @UserId, '{ReservationStatuses.Pending}', @GpuType, @GpuCount, @InstanceType, @DurationHours, @CreatedAt,
                        now() + make_interval(secs => @DurationHours * 3600), @Name, nullif(@GithubUser, ''), @JupyterEnabled, @DiskName, @Version,
                        @IsMultinode, @MasterReservationId, @NodeIndex, @TotalNodes)
                ON CONFLICT (reservation_id) DO NOTHING
                """,
                new
                {
                    request.ReservationId,
                    request.UserId,
                    request.GpuType,
                    request.GpuCount,
                    request.InstanceType,
                    request.DurationHours,
                    CreatedAt = request.CreatedAt.UtcDateTime,
                    request.Name,
                    request.GithubUser,
                    request.JupyterEnabled,
                    request.DiskName,
                    request.Version,
                    multinode.IsMultinode,
                    MasterReservationId = multinode.IsMultinode ? multinode.MasterReservationId : null,
                    NodeIndex = multinode.IsMultinode ? multinode.NodeIndex : (int?)null,
                    TotalNodes = multinode.IsMultinode ? multinode.TotalNodes : (int?)null,
                },
                transaction, cancellationToken: cancellationToken));
            (row, type) = await ReservationStore.LockForCreateAsync(connection, transaction, request.ReservationId, request.GpuType, cancellationToken);
        }

        if (row is null)
        {
            throw new InvalidOperationException($"Reservation {request.ReservationId} vanished while it was being processed.");
        }
        if (row.HistoryLength > 0 || !LiveStatuses.Contains(row.Status))
        {
            // Already handled (a redelivery after a crash between commit and ack cannot happen, but another
            // producer may send twice), or cancelled before the processor got to it: nothing to do.
            LogAlreadyProcessed(row.ReservationId, row.Status);
            return MessageOutcome.Done("duplicate");
        }

        var failure = ReservationValidation.CheckCliVersion(request.Version, rules.Value.MinCliVersion);
        var detail = "CLI version validation failed";
        if (failure is null)
        {
            // The list of known types is read only to explain an unknown one.
            var known = type is null ? (await GpuTypeCapacity.ActiveAsync(connection, transaction, cancellationToken)).Keys.ToList() : [];
            failure = ReservationValidation.CheckRequest(request, type, known, rules.Value.MaxReservationHours);
            detail = $"Validation error: {failure}";
            if (failure is null && type is { TotalClusterGpus: > 0 } capacity && !multinode.IsMultinode
                && capacity.Nodes.Max() < request.GpuCount)
            {
                failure = string.Create(CultureInfo.InvariantCulture,
                    $"{request.GpuCount} {request.GpuType.ToUpperInvariant()} GPUs do not fit on one node (a node has {capacity.Nodes.Max()}); reserve at most {capacity.Nodes.Max()}, or a multinode reservation.");
                detail = $"Validation error: {failure}";
            }
        }

        if (failure is not null)
        {
            await ReservationStore.SetStatusAsync(connection, transaction, row.ReservationId, ReservationStatuses.Failed, detail, cancellationToken, failure);
            CountFailure("validation");
            LogRejected(row.ReservationId, failure);
            return MessageOutcome.Done("failed");
        }

        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE reservations
            SET status = '{ReservationStatuses.Pending}', cli_version = @version,
                expires_at = coalesce(expires_at, now() + make_interval(secs => duration_hours * 3600)),
                current_detailed_status = @detail, {ReservationStore.AppendHistory}
            WHERE reservation_id = @id
            """,
            new { id = row.ReservationId, version = request.Version, detail = "Checking GPU availability" }, transaction, cancellationToken: cancellationToken));
        return MessageOutcome.Done("pending", request.GpuType);
    }

    private async Task<MessageOutcome> CancelAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ReservationActionMessage request, CancellationToken cancellationToken)
    {
        var row = await FindAsync(connection, transaction, request, cancellationToken);
        if (row is null)
        {
            return MessageOutcome.Done("not-found");
        }

        if (!LiveStatuses.Contains(row.Status))
        {
            LogRefused(request.Action, row.ReservationId, row.Status);
            return MessageOutcome.Done("ignored");
        }

        // A multinode reservation ends as a whole, as it started.
        var members = row.MasterReservationId is null
            ? [row.ReservationId]
            : (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT reservation_id FROM reservations WHERE master_reservation_id = @master AND status = ANY(@live) ORDER BY reservation_id FOR UPDATE",
                new { master = row.MasterReservationId, live = LiveStatuses }, transaction, cancellationToken: cancellationToken))).ToList();
        foreach (var id in members)
        {
            await ReservationStore.SetStatusAsync(connection, transaction, id, ReservationStatuses.Cancelled, "Reservation cancelled by user", cancellationToken);
            await ReservationStore.ReleaseDiskAsync(connection, transaction, id, cancellationToken);
        }

        LogCancelled(row.ReservationId, row.Status);
        return MessageOutcome.Done("cancelled", row.GpuType);
    }

    private async Task<MessageOutcome> ExtendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ReservationActionMessage request, CancellationToken cancellationToken)
    {
        if (request.ExtensionHours is not > 0)
        {
            throw new PoisonMessageException($"An extend message needs a positive extension_hours, got {request.ExtensionHours?.ToString(CultureInfo.InvariantCulture) ?? "none"}.");
        }

        var row = await FindAsync(connection, transaction, request, cancellationToken);
        if (row is null)
        {
            return MessageOutcome.Done("not-found");
        }

        // Production extends only what is preparing or active; otherwise it records an extension error.
        string? error = null;
        DateTime newExpiry = default;
        if (row.Status is not (ReservationStatuses.Active or ReservationStatuses.Preparing))
        {
            error = $"Cannot extend reservation in status {row.Status}";
        }
        else if (row.ExpiresAt is not { } expiresAt)
        {
            error = $"No expiration time found for reservation {row.ReservationId}";
        }
        else
        {
            newExpiry = expiresAt.AddHours(request.ExtensionHours.Value);
            if (row.LaunchedAt is { } launchedAt && (newExpiry - launchedAt).TotalHours > rules.Value.MaxTotalHours)
            {
                error = string.Create(CultureInfo.InvariantCulture,
                    $"Cannot extend reservation beyond {rules.Value.MaxTotalHours} hours total. Current total would be {(newExpiry - launchedAt).TotalHours:0.0} hours (launched at {launchedAt:yyyy-MM-dd HH:mm:ss} UTC)");
            }
        }

        if (error is not null)
        {
            // Production writes an extension_error field its schema lacks; here the reason goes where the user sees it.
            await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE reservations SET warning = @detail, {ReservationStore.AppendHistory} WHERE reservation_id = @id",
                new { id = row.ReservationId, detail = $"Extension failed: {error}" }, transaction, cancellationToken: cancellationToken));
            LogRefused(request.Action, row.ReservationId, row.Status);
            return MessageOutcome.Done("refused");
        }

        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE reservations
            SET expires_at = @newExpiry, duration_hours = duration_hours + @hours, warning = NULL, {ReservationStore.AppendHistory}
            WHERE reservation_id = @id
            """,
            new
            {
                id = row.ReservationId,
                newExpiry,
                hours = request.ExtensionHours.Value,
                detail = string.Create(CultureInfo.InvariantCulture, $"Extended by {request.ExtensionHours.Value} hours (new expiry: {newExpiry:yyyy-MM-dd HH:mm:ss})"),
            },
            transaction, cancellationToken: cancellationToken));
        return MessageOutcome.Done("extended");
    }

    private async Task<MessageOutcome> JupyterAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ReservationActionMessage request, CancellationToken cancellationToken)
    {
        var row = await FindActiveWithPodAsync(connection, transaction, request, cancellationToken);
        if (row is null)
        {
            return MessageOutcome.Done("ignored");
        }

        if (request.Action == ReservationActions.DisableJupyter)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE reservations SET jupyter_enabled = false, jupyter_url = NULL, jupyter_token = NULL, jupyter_port = NULL WHERE reservation_id = @id",
                new { id = row.ReservationId }, transaction, cancellationToken: cancellationToken));
            return MessageOutcome.Done("jupyter-disabled");
        }

        // The Jupyter port comes from the same NodePort range as SSH ports, under the same lock.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtextextended('gpudev.simulated-cluster.node-ports', 0))",
            transaction: transaction, cancellationToken: cancellationToken));
        var used = await connection.QueryAsync<int>(new CommandDefinition(
            $"""
            SELECT p FROM reservations, LATERAL (VALUES (node_port), (jupyter_port)) AS used(p)
            WHERE status IN ('{ReservationStatuses.Preparing}', '{ReservationStatuses.Active}') AND p IS NOT NULL
            """,
            transaction: transaction, cancellationToken: cancellationToken));
        var port = new NodePorts(used).Next();
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE reservations SET jupyter_enabled = true, jupyter_port = @port, jupyter_token = @token, jupyter_url = @url, jupyter_error = NULL
            WHERE reservation_id = @id
            """,
            new { id = row.ReservationId, port, token, url = LocalStandIns.JupyterUrl(port, token) }, transaction, cancellationToken: cancellationToken));
        return MessageOutcome.Done("jupyter-enabled");
    }

    private async Task<MessageOutcome> AddUserAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ReservationActionMessage request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.GithubUsername))
        {
            throw new PoisonMessageException("An add_user message needs github_username.");
        }

        var row = await FindActiveWithPodAsync(connection, transaction, request, cancellationToken);
        if (row is null)
        {
            return MessageOutcome.Done("ignored");
        }

        // Production adds the user's GitHub keys to the pod and the name to secondary_users, once.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE reservations SET secondary_users = coalesce(secondary_users, '[]'::jsonb) || jsonb_build_array(@user::text)
            WHERE reservation_id = @id AND NOT coalesce(secondary_users, '[]'::jsonb) ? @user
            """,
            new { id = row.ReservationId, user = request.GithubUsername }, transaction, cancellationToken: cancellationToken));
        return MessageOutcome.Done("user-added");
    }

    private async Task<ReservationRow?> FindActiveWithPodAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ReservationActionMessage request, CancellationToken cancellationToken)
    {
        var row = await FindAsync(connection, transaction, request, cancellationToken);
        if (row is not null && (row.Status != ReservationStatuses.Active || row.PodName is null))
        {
            // Production drops these: the action needs a running pod.
            LogRefused(request.Action, row.ReservationId, row.Status);
            return null;
        }

        return row;
    }

    private async Task<ReservationRow?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ReservationActionMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await ReservationStore.LockByPrefixAsync(connection, transaction, request.ReservationId, request.UserId, cancellationToken);
        }
        catch (ReservationLookupException ex)
        {
            LogLookupFailed(request.Action, ex.Message);
            return null;
        }
    }

    private void CountFailure(string kind) =>
        telemetry.Failures.Add(1, new KeyValuePair<string, object?>("queue", Queue), new KeyValuePair<string, object?>("kind", kind));

    private static string ReadAction(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new PoisonMessageException($"The message is a JSON {document.RootElement.ValueKind}, not an object with an action.");
            }

            return document.RootElement.TryGetProperty("action", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "(none)";
        }
        catch (JsonException ex)
        {
            throw new PoisonMessageException($"The message is not JSON: {ex.Message}", ex);
        }
    }

    private static string? TryReadString(string body, string property)
    {
        try
        {
            return ReadAction(body) is not null && JsonDocument.Parse(body).RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (PoisonMessageException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reservation {ReservationId} was already processed ({Status}); message dropped")]
    private partial void LogAlreadyProcessed(string reservationId, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reservation {ReservationId} failed validation: {Reason}")]
    private partial void LogRejected(string reservationId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reservation {ReservationId} cancelled (was {Status})")]
    private partial void LogCancelled(string reservationId, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Action} on reservation {ReservationId} dropped: it is {Status}")]
    private partial void LogRefused(string action, string reservationId, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Action} dropped: {Reason}")]
    private partial void LogLookupFailed(string action, string reason);
}
