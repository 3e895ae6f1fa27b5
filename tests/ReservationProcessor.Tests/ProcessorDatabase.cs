using System.Diagnostics;
using System.Text.Json;
using Dapper;
using GpuDev.Database;
using GpuDev.Database.Queues;
using Npgsql;
using NpgsqlTypes;

namespace GpuDev.ReservationProcessor.Tests;

/// <summary>
/// A fresh gpudev database (PGMQ, every schema and fixture file, the bootstrap's roles and both queues) and the producer's side of the
/// queues: the API's insert-and-send, raw messages, and the reads tests assert on.
/// </summary>
public sealed class ProcessorDatabase
{
    static ProcessorDatabase() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    private ProcessorDatabase(string connectionString, string runtimeConnectionString)
    {
        ConnectionString = connectionString;
        RuntimeConnectionString = runtimeConnectionString;
    }

    /// <summary>The superuser's: the tests' own reads and writes.</summary>
    public string ConnectionString { get; }

    /// <summary>The runtime role's, as the AppHost hands it to the processor.</summary>
    public string RuntimeConnectionString { get; }

    public static async Task<ProcessorDatabase> CreateAsync(PostgresTestServer server)
    {
        var connectionString = await server.CreateDatabaseAsync("processor", withPgmq: true);
        await using var connection = await OpenAsync(connectionString);
        // The migration worker's order: every schema file, then every fixture file.
        foreach (var file in RepositoryFiles.SqlFiles().OrderBy(f => f.StartsWith("fixtures/", StringComparison.Ordinal)))
        {
            await connection.ExecuteAsync(await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.DatabaseDirectory, file)));
        }

        // Roles, grants and both queues, as the AppHost's bootstrap makes them.
        await server.BootstrapAsync(connectionString);
        return new ProcessorDatabase(connectionString, server.RoleConnectionString(connectionString, DatabaseRoles.Runtime));
    }

    public Task<NpgsqlConnection> OpenAsync() => OpenAsync(ConnectionString);

    /// <summary>What the API's POST /v1/jobs/submit writes: the queued row and its create_reservation message, together.</summary>
    public async Task<CreateReservationMessage> SubmitAsync(
        string gpuType = "cpu-x86", int gpuCount = 0, int hours = 1, string? user = null, string? id = null, string version = CreateReservationMessage.CurrentCliVersion,
        string? diskName = null, object? headers = null)
    {
        id ??= Guid.NewGuid().ToString();
        user ??= "alice";
        var message = NewCreate(id, user, gpuType, gpuCount, hours, version, diskName);
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO reservations (reservation_id, user_id, status, gpu_type, gpu_count, instance_type, duration_hours, created_at, name, github_user, disk_name)
            VALUES (@id, @user, 'queued', @gpuType, @gpuCount, 'test', @hours, @createdAt, NULL, @user, @diskName)
            """,
            new { id, user, gpuType, gpuCount, hours, createdAt = message.CreatedAt.UtcDateTime, diskName }, transaction);
        await SendAsync(connection, transaction, QueueNames.GpuReservations, JsonSerializer.Serialize(message), headers);
        await transaction.CommitAsync();
        return message;
    }

    public static CreateReservationMessage NewCreate(
        string id, string user, string gpuType, int gpuCount, int hours, string version = CreateReservationMessage.CurrentCliVersion, string? diskName = null)
    {
        var now = DateTimeOffset.UtcNow;
        return new CreateReservationMessage
        {
            JobId = id,
            ReservationId = id,
            UserId = user,
            Username = user,
            GpuType = gpuType,
            GpuCount = gpuCount,
            GithubUser = user,
            Name = $"gpu-dev-{id[..8]}",
            Version = version,
            DurationHours = hours,
            DiskName = diskName,
            SubmittedAt = now,
            CreatedAt = now,
            EnvVars = new Dictionary<string, string>(),
            Metadata = new MessageMetadata { CreatedAt = now, MaxRetries = 3 },
        };
    }

    /// <summary>What the API's job actions send (no version, as production's API writes them).</summary>
    public Task<long> SendActionAsync(string action, string reservationId, string user = "alice", int? extensionHours = null, string? githubUsername = null) =>
        SendAsync(QueueNames.GpuReservations, JsonSerializer.Serialize(new ReservationActionMessage
        {
            Action = action,
            JobId = reservationId,
            ReservationId = reservationId,
            UserId = user,
            Username = user,
            ExtensionHours = extensionHours,
            GithubUsername = githubUsername,
            RequestedAt = DateTimeOffset.UtcNow,
            Metadata = new MessageMetadata { CreatedAt = DateTimeOffset.UtcNow, MaxRetries = 3 },
        }));

    public async Task<long> SendAsync(string queue, string json, object? headers = null)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var id = await SendAsync(connection, transaction, queue, json, headers);
        await transaction.CommitAsync();
        return id;
    }

    private static async Task<long> SendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string queue, string json, object? headers)
    {
        await using var command = new NpgsqlCommand("SELECT pgmq.send(@queue::text, @message, @headers, 0)", connection, transaction);
        command.Parameters.AddWithValue("queue", queue);
        command.Parameters.Add(new NpgsqlParameter("message", NpgsqlDbType.Jsonb) { Value = json });
        command.Parameters.Add(new NpgsqlParameter("headers", NpgsqlDbType.Jsonb) { Value = headers is null ? DBNull.Value : JsonSerializer.Serialize(headers) });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<Reservation> ReservationAsync(string id) =>
        await ReservationOrNullAsync(id) ?? throw new InvalidOperationException($"There is no reservation {id}.");

    private async Task<Reservation?> ReservationOrNullAsync(string id)
    {
        await using var connection = await OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<Reservation>(
            """
            SELECT reservation_id, user_id, status, gpu_type, gpu_count, name, pod_name, namespace, node_ip, node_port, ssh_command,
                   launched_at, expires_at, duration_hours, failure_reason, current_detailed_status, status_history::text AS status_history,
                   jupyter_enabled, jupyter_url, jupyter_port, jupyter_token, secondary_users::text AS secondary_users, warning, cli_version,
                   master_reservation_id
            FROM reservations WHERE reservation_id = @id
            """,
            new { id });
    }

    /// <summary>
    /// Waits until the reservation has <paramref name="status"/> as the processor set it (a row the API inserted is
    /// queued before the processor has seen it); fails naming the status it is stuck in.
    /// </summary>
    public async Task<Reservation> WaitForStatusAsync(string id, string status, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var reservation = await ReservationOrNullAsync(id);
            if (reservation?.Status == status && reservation.HistoryMessages.Count > 0)
            {
                return reservation;
            }

            Assert.True(elapsed.Elapsed < limit,
                $"Reservation {id} did not become {status} within {limit}: it is {reservation?.Status ?? "absent"} ({reservation?.CurrentDetailedStatus}; {reservation?.FailureReason})");
            await Task.Delay(20);
        }
    }

    public async Task<long> CountAsync(string sql, object? parameters = null)
    {
        await using var connection = await OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    public async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    /// <summary>Waits until a query counts at least <paramref name="expected"/>.</summary>
    public async Task WaitForCountAsync(string sql, long expected, object? parameters = null, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var elapsed = Stopwatch.StartNew();
        long count;
        while ((count = await CountAsync(sql, parameters)) < expected)
        {
            Assert.True(elapsed.Elapsed < limit, $"Expected {expected} from `{sql}` within {limit}, got {count}");
            await Task.Delay(20);
        }
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }
}

/// <summary>A reservations row as the tests read it.</summary>
public sealed record Reservation
{
    public required string ReservationId { get; init; }
    public required string UserId { get; init; }
    public required string Status { get; init; }
    public string? GpuType { get; init; }
    public int? GpuCount { get; init; }
    public string? Name { get; init; }
    public string? PodName { get; init; }
    public string? Namespace { get; init; }
    public string? NodeIp { get; init; }
    public int? NodePort { get; init; }
    public string? SshCommand { get; init; }
    public DateTime? LaunchedAt { get; init; }
    public DateTime? ExpiresAt { get; init; }
    public double DurationHours { get; init; }
    public string? FailureReason { get; init; }
    public string? CurrentDetailedStatus { get; init; }
    public string StatusHistory { get; init; } = "[]";
    public bool? JupyterEnabled { get; init; }
    public string? JupyterUrl { get; init; }
    public int? JupyterPort { get; init; }
    public string? JupyterToken { get; init; }
    public string? SecondaryUsers { get; init; }
    public string? Warning { get; init; }
    public string? CliVersion { get; init; }
    public string? MasterReservationId { get; init; }

    public IReadOnlyList<string> HistoryMessages =>
        JsonDocument.Parse(StatusHistory).RootElement.EnumerateArray().Select(e => e.GetProperty("message").GetString()!).ToList();
}
