using System.Globalization;
using Dapper;
using GpuDev.Database;
using GpuDev.ReservationProcessor.Reservations;
using GpuDev.ReservationProcessor.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.ReservationProcessor.Cluster;

/// <summary>
/// The stand-in for production's Kubernetes cluster: simulated nodes per GPU type (gpu_types.total_cluster_gpus,
/// max_per_node), on which reservations go pending → preparing → active after configurable delays, wait as
/// queued with a position and estimated wait when they do not fit, start when capacity frees, and expire.
/// Every step is a conditional update in its own transaction; placement for a GPU type holds a transaction-level
/// advisory lock, so any number of processor replicas can advance the cluster at once.
/// </summary>
public sealed partial class SimulatedCluster(
    NpgsqlDataSource dataSource, ProcessorTelemetry telemetry, IOptions<SimulatedClusterOptions> options, ILogger<SimulatedCluster> logger)
{
    /// <summary>Production's fallback estimate when it cannot compute one: 15 minutes per queue position.</summary>
    private const int MinutesPerQueuePosition = 15;

    private readonly SimulatedClusterOptions _options = options.Value;

    /// <summary>
    /// Expires what is due, places waiting reservations of <paramref name="gpuTypes"/> (every type with waiting
    /// reservations when null) and activates prepared ones.
    /// </summary>
    public async Task AdvanceAsync(IReadOnlyCollection<string>? gpuTypes, CancellationToken cancellationToken)
    {
        var freed = await ExpireAsync(cancellationToken);
        var types = gpuTypes is null ? await TypesWithWaitingReservationsAsync(cancellationToken) : gpuTypes.Union(freed, StringComparer.Ordinal).ToList();
        foreach (var gpuType in types)
        {
            await PlaceAsync(gpuType, cancellationToken);
        }

        await ActivateAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<string>> ExpireAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var expired = (await connection.QueryAsync<(string ReservationId, string? GpuType)>(new CommandDefinition(
            $"""
            WITH expired AS (
                UPDATE reservations SET status = '{ReservationStatuses.Expired}', current_detailed_status = @detail, {ReservationStore.AppendHistory}
                WHERE status = '{ReservationStatuses.Active}' AND expires_at <= now()
                RETURNING reservation_id, gpu_type),
            released AS (
                UPDATE disks SET in_use = false, reservation_id = NULL, last_used = now()
                WHERE reservation_id IN (SELECT reservation_id FROM expired))
            SELECT reservation_id, gpu_type FROM expired
            """,
            new { detail = "Reservation expired" }, cancellationToken: cancellationToken))).ToList();
        foreach (var (reservationId, _) in expired)
        {
            LogExpired(reservationId);
        }

        return expired.Where(e => e.GpuType is not null).Select(e => e.GpuType!).Distinct().ToList();
    }

    private async Task<IReadOnlyList<string>> TypesWithWaitingReservationsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            $"""
            SELECT DISTINCT gpu_type FROM reservations
            WHERE status IN ('{ReservationStatuses.Pending}', '{ReservationStatuses.Queued}') AND gpu_type IS NOT NULL
              AND jsonb_array_length(coalesce(status_history, '[]'::jsonb)) > 0
            """,
            cancellationToken: cancellationToken))).ToList();
    }

    private sealed record Waiting(string ReservationId, string Status, int GpuCount, string GroupId, int TotalNodes, bool Eligible, string? Detail, string? GithubUser);

    /// <summary>Places the type's waiting reservations in submission order; what does not fit is queued with its position.</summary>
    private async Task PlaceAsync(string gpuType, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtextextended('gpudev.simulated-cluster.place:' || @gpuType, 0))",
            new { gpuType }, transaction, cancellationToken: cancellationToken));

        var capacity = await connection.QuerySingleOrDefaultAsync<GpuTypeCapacity>(new CommandDefinition(
            """
            SELECT gpu_type AS GpuType, coalesce(total_cluster_gpus, 0) AS TotalClusterGpus, coalesce(max_per_node, 0) AS MaxPerNode
            FROM gpu_types WHERE gpu_type = @gpuType
            """,
            new { gpuType }, transaction, cancellationToken: cancellationToken)) ?? new GpuTypeCapacity(gpuType, 0, 0);
        var allocated = await connection.QueryAsync<int>(new CommandDefinition(
            $"""
            SELECT coalesce(gpu_count, 0) FROM reservations
            WHERE gpu_type = @gpuType AND status IN ('{ReservationStatuses.Preparing}', '{ReservationStatuses.Active}')
            """,
            new { gpuType }, transaction, cancellationToken: cancellationToken));
        var packing = NodePacking.From(capacity, allocated);
        var releases = (await connection.QueryAsync<(int GpuCount, DateTime ExpiresAt)>(new CommandDefinition(
            $"""
            SELECT coalesce(gpu_count, 0), expires_at FROM reservations
            WHERE gpu_type = @gpuType AND status = '{ReservationStatuses.Active}' AND expires_at IS NOT NULL ORDER BY expires_at
            """,
            new { gpuType }, transaction, cancellationToken: cancellationToken))).ToList();
        var waiting = await connection.QueryAsync<Waiting>(new CommandDefinition(
            $"""
            SELECT reservation_id AS ReservationId, status AS Status, coalesce(gpu_count, 0) AS GpuCount,
                   coalesce(master_reservation_id, reservation_id) AS GroupId, greatest(coalesce(total_nodes, 1), 1) AS TotalNodes,
                   (status = '{ReservationStatuses.Queued}' OR updated_at <= now() - make_interval(secs => @pendingSeconds)) AS Eligible,
                   current_detailed_status AS Detail, github_user AS GithubUser
            FROM reservations
            WHERE gpu_type = @gpuType AND status IN ('{ReservationStatuses.Pending}', '{ReservationStatuses.Queued}')
              AND jsonb_array_length(coalesce(status_history, '[]'::jsonb)) > 0
            ORDER BY created_at, reservation_id
            FOR UPDATE
            """,
            new { gpuType, pendingSeconds = _options.PendingSeconds }, transaction, cancellationToken: cancellationToken));

        var position = 0;
        var admitted = new List<(string Id, string Detail)>();
        foreach (var group in waiting.GroupBy(w => w.GroupId, StringComparer.Ordinal))
        {
            var members = group.ToList();
            if (members.Count < members[0].TotalNodes)
            {
                // A multinode reservation starts whole: wait until every node's message has arrived.
                continue;
            }

            var requests = members.Select(m => m.GpuCount).ToList();
            if (members.All(m => m.Eligible) && packing.TryPlaceAll(requests))
            {
                var detail = requests.Sum() == 0
                    ? $"Found a {gpuType.ToUpperInvariant()} node in the simulated cluster - preparing resources"
                    : $"Found {requests.Sum()} available {gpuType.ToUpperInvariant()} GPUs in the simulated cluster - preparing resources";
                admitted.AddRange(members.Select(m => (m.ReservationId, detail)));
                continue;
            }

            position++;
            if (!members.All(m => m.Eligible))
            {
                continue;
            }

            var needed = requests.Sum();
            var free = packing.FreeGpus;
            var wait = EstimateWaitMinutes(needed, free, releases, position);
            var queued = capacity.TotalClusterGpus == 0 || free == 0
                ? $"No {gpuType.ToUpperInvariant()} GPUs available - position #{position} in queue, estimated wait {wait} min"
                : $"Need {needed} {gpuType.ToUpperInvariant()} GPUs, only {free} available - position #{position} in queue, estimated wait {wait} min";
            foreach (var member in members)
            {
                if (member.Status != ReservationStatuses.Queued)
                {
                    await ReservationStore.SetStatusAsync(connection, transaction, member.ReservationId, ReservationStatuses.Queued, queued, cancellationToken);
                }
                else if (member.Detail != queued)
                {
                    // Position and estimate change as the queue moves: refresh the line without a history entry each time.
                    await connection.ExecuteAsync(new CommandDefinition(
                        "UPDATE reservations SET current_detailed_status = @queued WHERE reservation_id = @id",
                        new { queued, id = member.ReservationId }, transaction, cancellationToken: cancellationToken));
                }
            }
        }

        if (admitted.Count > 0)
        {
            // One statement for every admitted reservation: production's first preparing steps, in its words.
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                UPDATE reservations r
                SET status = '{ReservationStatuses.Preparing}', current_detailed_status = a.detail,
                    status_history = coalesce(r.status_history, '[]'::jsonb) || jsonb_build_array(
                        jsonb_build_object('timestamp', {ReservationStore.HistoryTimestamp}, 'message', a.detail),
                        jsonb_build_object('timestamp', {ReservationStore.HistoryTimestamp},
                            'message', 'Fetching SSH keys for GitHub user ' || coalesce(r.github_user, '(none)') || ' (simulated: no keys are fetched)'))
                FROM unnest(@ids::text[], @details::text[]) AS a(id, detail)
                WHERE r.reservation_id = a.id
                """,
                new { ids = admitted.Select(a => a.Id).ToArray(), details = admitted.Select(a => a.Detail).ToArray() },
                transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Minutes until enough active reservations of the type expire to free <paramref name="needed"/> GPUs.</summary>
    private static int EstimateWaitMinutes(int needed, int free, IReadOnlyList<(int GpuCount, DateTime ExpiresAt)> releases, int position)
    {
        var available = free;
        foreach (var (gpuCount, expiresAt) in releases)
        {
            available += gpuCount;
            if (available >= needed)
            {
                return Math.Max(1, (int)Math.Ceiling((expiresAt - DateTime.UtcNow).TotalMinutes));
            }
        }

        return position * MinutesPerQueuePosition;
    }

    private sealed record Prepared(string ReservationId, string UserId, string PodName, string? DiskName, double SecondsSinceSubmit, string? GpuType);

    /// <summary>Reservations that have been preparing long enough become active with their (local) connection details.</summary>
    private async Task ActivateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var due = (await connection.QueryAsync<Prepared>(new CommandDefinition(
            $"""
            SELECT reservation_id AS ReservationId, user_id AS UserId,
                   coalesce(pod_name, 'gpu-dev-' || left(reservation_id, 8)) AS PodName, disk_name AS DiskName,
                   extract(epoch FROM clock_timestamp() - created_at)::float8 AS SecondsSinceSubmit, gpu_type AS GpuType
            FROM reservations
            WHERE status = '{ReservationStatuses.Preparing}' AND updated_at <= now() - make_interval(secs => @preparingSeconds)
            ORDER BY created_at, reservation_id
            FOR UPDATE SKIP LOCKED
            """,
            new { preparingSeconds = _options.PreparingSeconds }, transaction, cancellationToken: cancellationToken))).ToList();
        if (due.Count == 0)
        {
            return;
        }

        // Node ports are unique across live reservations; one replica hands them out at a time.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtextextended('gpudev.simulated-cluster.node-ports', 0))",
            transaction: transaction, cancellationToken: cancellationToken));
        var ports = new NodePorts(await connection.QueryAsync<int>(new CommandDefinition(
            $"""
            SELECT p FROM reservations, LATERAL (VALUES (node_port), (jupyter_port)) AS used(p)
            WHERE status IN ('{ReservationStatuses.Preparing}', '{ReservationStatuses.Active}') AND p IS NOT NULL
            """,
            transaction: transaction, cancellationToken: cancellationToken)));

        var nodePorts = due.Select(_ => ports.Next()).ToArray();
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE reservations r
            SET status = '{ReservationStatuses.Active}', pod_name = a.pod, namespace = @ns, node_ip = @nodeIp, node_port = a.port,
                ssh_command = a.ssh, launched_at = now(), expires_at = now() + make_interval(secs => r.duration_hours * 3600),
                current_detailed_status = a.detail,
                status_history = coalesce(r.status_history, '[]'::jsonb)
                    || jsonb_build_array(jsonb_build_object('timestamp', {ReservationStore.HistoryTimestamp}, 'message', a.detail))
            FROM unnest(@ids::text[], @pods::text[], @ports::int[], @sshCommands::text[], @details::text[]) AS a(id, pod, port, ssh, detail)
            WHERE r.reservation_id = a.id
            """,
            new
            {
                ids = due.Select(r => r.ReservationId).ToArray(),
                pods = due.Select(r => r.PodName).ToArray(),
                ports = nodePorts,
                sshCommands = nodePorts.Select(LocalStandIns.SshCommand).ToArray(),
                details = due.Select(r => $"Pod {r.PodName} is ready on the simulated cluster (local stand-in, no machine behind it)").ToArray(),
                ns = LocalStandIns.Namespace,
                nodeIp = LocalStandIns.NodeIp,
            },
            transaction, cancellationToken: cancellationToken));
        foreach (var reservation in due)
        {
            if (reservation.DiskName is not null)
            {
                // Production attaches the named disk, creating it when the user has none of that name.
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO disks (disk_name, user_id, in_use, reservation_id, last_used)
                    VALUES (@diskName, @userId, true, @id, now())
                    ON CONFLICT (user_id, disk_name) DO UPDATE SET in_use = true, reservation_id = EXCLUDED.reservation_id, last_used = now()
                    """,
                    new { diskName = reservation.DiskName, userId = reservation.UserId, id = reservation.ReservationId },
                    transaction, cancellationToken: cancellationToken));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var reservation in due)
        {
            telemetry.TimeToActive.Record(reservation.SecondsSinceSubmit, new KeyValuePair<string, object?>("gpu_type", reservation.GpuType));
            LogActive(reservation.ReservationId, reservation.PodName, reservation.SecondsSinceSubmit);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reservation {ReservationId} expired")]
    private partial void LogExpired(string reservationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reservation {ReservationId} is active as pod {PodName}, {Seconds:0.###} s after submission")]
    private partial void LogActive(string reservationId, string podName, double seconds);
}

/// <summary>Free ports in the NodePort range, lowest first.</summary>
internal sealed class NodePorts(IEnumerable<int> used)
{
    private readonly HashSet<int> _used = [.. used];
    private int _next = LocalStandIns.FirstNodePort;

    public int Next()
    {
        while (_next <= LocalStandIns.LastNodePort && _used.Contains(_next))
        {
            _next++;
        }

        if (_next > LocalStandIns.LastNodePort)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"All node ports {LocalStandIns.FirstNodePort}-{LocalStandIns.LastNodePort} are taken by live reservations; cancel some."));
        }

        _used.Add(_next);
        return _next++;
    }
}
