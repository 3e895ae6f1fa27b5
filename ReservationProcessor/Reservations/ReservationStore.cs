using Dapper;
using GpuDev.Database;
using GpuDev.ReservationProcessor.Cluster;
using Npgsql;

namespace GpuDev.ReservationProcessor.Reservations;

/// <summary>The reservation statements the processor runs, always inside its caller's transaction.</summary>
public static class ReservationStore
{
    private const string RowColumns =
        """
        r.reservation_id, r.user_id, r.status, r.gpu_type, r.gpu_count, r.duration_hours, r.launched_at, r.expires_at, r.pod_name,
        r.master_reservation_id, jsonb_array_length(coalesce(r.status_history, '[]'::jsonb)) AS history_length
        """;

    /// <summary>
    /// Appends {timestamp, message} to status_history, as production's update_reservation_status does.
    /// Parameter <c>@detail</c> is the message.
    /// </summary>
    public const string AppendHistory =
        $"""
        status_history = coalesce(status_history, '[]'::jsonb) || jsonb_build_array(jsonb_build_object('timestamp', {HistoryTimestamp}, 'message', @detail::text))
        """;

    /// <summary>A status_history timestamp, as Python's <c>datetime.now(UTC).isoformat()</c> writes it.</summary>
    public const string HistoryTimestamp = """to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')""";

    public static async Task<ReservationRow?> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string reservationId, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<ReservationRow>(new CommandDefinition(
            $"SELECT {RowColumns} FROM reservations r WHERE r.reservation_id = @reservationId FOR UPDATE",
            new { reservationId }, transaction, cancellationToken: cancellationToken));

    /// <summary>The reservation (locked) and its active GPU type, in one round trip: what a create decides on.</summary>
    public static async Task<(ReservationRow? Row, GpuTypeCapacity? Type)> LockForCreateAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string reservationId, string gpuType, CancellationToken cancellationToken)
    {
        var found = (await connection.QueryAsync<ReservationRow, GpuTypeCapacity, (ReservationRow, GpuTypeCapacity?)>(new CommandDefinition(
            $"""
            SELECT {RowColumns}, t.gpu_type AS GpuType, coalesce(t.total_cluster_gpus, 0) AS TotalClusterGpus, coalesce(t.max_per_node, 0) AS MaxPerNode
            FROM reservations r LEFT JOIN gpu_types t ON t.gpu_type = @gpuType AND t.is_active
            WHERE r.reservation_id = @reservationId
            FOR UPDATE OF r
            """,
            new { reservationId, gpuType }, transaction, cancellationToken: cancellationToken),
            (row, type) => (row, type?.GpuType is null ? null : type),
            splitOn: "GpuType")).ToList();
        if (found.Count > 0)
        {
            return found[0];
        }

        return (null, null);
    }

    /// <summary>
    /// Production's find_reservation_by_prefix, limited to the user's own reservations: the exact id if it exists,
    /// else the single reservation whose id starts with <paramref name="prefix"/>. Throws <see cref="ReservationLookupException"/>
    /// when there is none or more than one.
    /// </summary>
    public static async Task<ReservationRow> LockByPrefixAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string prefix, string userId, CancellationToken cancellationToken)
    {
        // left() instead of LIKE: ids may contain '_', which LIKE would treat as a wildcard.
        var matches = (await connection.QueryAsync<ReservationRow>(new CommandDefinition(
            $"""
            SELECT {RowColumns} FROM reservations r
            WHERE r.user_id = @userId
              AND (r.reservation_id = @prefix
                   OR (left(r.reservation_id, length(@prefix)) = @prefix
                       AND NOT EXISTS (SELECT 1 FROM reservations WHERE reservation_id = @prefix AND user_id = @userId)))
            ORDER BY r.created_at DESC
            LIMIT 2
            FOR UPDATE
            """,
            new { prefix, userId }, transaction, cancellationToken: cancellationToken))).ToList();
        return matches.Count switch
        {
            0 => throw new ReservationLookupException($"Reservation {prefix} not found for user {userId}"),
            1 => matches[0],
            _ => throw new ReservationLookupException($"Ambiguous reservation ID {prefix}: more than one of {userId}'s reservations starts with it"),
        };
    }

    /// <summary>Sets status and detailed status (and failure_reason when failing) and appends to the history.</summary>
    public static Task SetStatusAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string reservationId, string status, string detail, CancellationToken cancellationToken,
        string? failureReason = null) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE reservations
            SET status = @status, current_detailed_status = @detail,
                failure_reason = CASE WHEN @status = '{ReservationStatuses.Failed}' THEN @failureReason ELSE failure_reason END,
                {AppendHistory}
            WHERE reservation_id = @reservationId
            """,
            new { reservationId, status, detail, failureReason }, transaction, cancellationToken: cancellationToken));

    /// <summary>Appends a history entry without changing the status (extension results, refused actions).</summary>
    public static Task NoteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string reservationId, string detail, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE reservations SET {AppendHistory} WHERE reservation_id = @reservationId",
            new { reservationId, detail }, transaction, cancellationToken: cancellationToken));

    /// <summary>The reservation's disk is free again (production's mark_disk_in_use(False)).</summary>
    public static Task ReleaseDiskAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string reservationId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE disks SET in_use = false, reservation_id = NULL, last_used = now() WHERE reservation_id = @reservationId",
            new { reservationId }, transaction, cancellationToken: cancellationToken));
}

/// <summary>A prefix that matches none or several of the user's reservations: the action is dropped, as production does.</summary>
public sealed class ReservationLookupException(string message) : Exception(message);
