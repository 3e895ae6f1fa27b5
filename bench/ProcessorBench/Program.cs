using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dapper;
using GpuDev.Database.Queues;
using GpuDev.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

// Usage: ProcessorBench <reservations> <rounds>
// In each round, on one throw-away local PostgreSQL (fresh database per round):
//   baseline: <reservations> create_reservation messages are sent, then drained with pgmq.read (batch 10)
//             and one pgmq.archive per message: the raw queue rate the processor cannot beat;
//   processor: the real processor host runs (zero delays) while <reservations> cpu-x86 reservations are
//             submitted as the API submits them (queued row + message, one transaction); timed from the
//             first submission until every reservation is active.
// Prints each round, the medians, the processor/baseline ratio (target >= 0.5) and the p99 submit->active.
var reservations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
const int batchSize = 10;
const int submitters = 4;

Console.WriteLine("Starting a local PostgreSQL server...");
await using var server = await PostgresTestServer.StartAsync();
var baselineRates = new List<double>();
var processorRates = new List<double>();
var p99s = new List<double>();
for (var round = 1; round <= rounds; round++)
{
    var baselineDb = await CreateDatabaseAsync(server);
    var baseline = await RawReadArchiveAsync(baselineDb, reservations);
    var processorDb = await CreateDatabaseAsync(server);
    var (rate, p50, p99) = await ProcessorAsync(processorDb, reservations);
    baselineRates.Add(baseline);
    processorRates.Add(rate);
    p99s.Add(p99);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round {round}/{rounds}: PGMQ read+archive {baseline,7:F0} msg/s   processor submit->active {rate,7:F0} reservations/s   p50 {p50,7:F1} ms  p99 {p99,7:F1} ms"));
}

var ratio = Median(processorRates) / Median(baselineRates);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

    {reservations} reservations per round, {rounds} rounds, medians:
      PGMQ read + archive (baseline)   {Median(baselineRates),8:F0} msg/s
      processor, submit -> active      {Median(processorRates),8:F0} reservations/s
      ratio processor / baseline       {ratio,8:F2}   (target >= 0.5)
      p99 submit -> active             {Median(p99s),8:F1} ms
    """));
return ratio >= 0.5 ? 0 : 1;

static async Task<string> CreateDatabaseAsync(PostgresTestServer server)
{
    var connectionString = await server.CreateDatabaseAsync("bench", withPgmq: true);
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    foreach (var file in RepositoryFiles.SqlFiles().OrderBy(f => f.StartsWith("fixtures/", StringComparison.Ordinal)))
    {
        await connection.ExecuteAsync(await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.DatabaseDirectory, file)));
    }

    foreach (var queue in QueueNames.All)
    {
        await connection.ExecuteAsync("SELECT pgmq.create(@queue)", new { queue });
    }

    // Pooled connections for the measurement (the test server's default string turns pooling off).
    return new NpgsqlConnectionStringBuilder(connectionString) { Pooling = true, MaxPoolSize = 20 }.ConnectionString;
}

static async Task<double> RawReadArchiveAsync(string connectionString, int count)
{
    await using var dataSource = NpgsqlDataSource.Create(connectionString);
    for (var i = 0; i < count; i++)
    {
        await SendAsync(dataSource, Message(Guid.NewGuid().ToString()), row: false);
    }

    var stopwatch = Stopwatch.StartNew();
    var archived = 0;
    while (archived < count)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var ids = (await connection.QueryAsync<long>("SELECT msg_id FROM pgmq.read(@queue, 300, @batch)", new { queue = QueueNames.GpuReservations, batch = batchSize })).ToList();
        foreach (var id in ids)
        {
            await connection.ExecuteAsync("SELECT pgmq.archive(@queue, @id)", new { queue = QueueNames.GpuReservations, id });
        }

        archived += ids.Count;
    }

    return count / stopwatch.Elapsed.TotalSeconds;
}

static async Task<(double Rate, double P50, double P99)> ProcessorAsync(string connectionString, int count)
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], EnvironmentName = "Production" });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:gpudev"] = connectionString,
        ["Queues:BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
        ["Queues:PollSeconds"] = "1",
        ["Queues:PollIntervalMilliseconds"] = "10",
        ["SimulatedCluster:PendingSeconds"] = "0",
        ["SimulatedCluster:PreparingSeconds"] = "0",
        ["SimulatedCluster:TickMilliseconds"] = "1000",
    });
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.AddReservationProcessor();
    using var host = builder.Build();
    await host.StartAsync();

    await using var dataSource = NpgsqlDataSource.Create(connectionString);
    var stopwatch = Stopwatch.StartNew();
    var perSubmitter = count / submitters;
    await Task.WhenAll(Enumerable.Range(0, submitters).Select(async s =>
    {
        for (var i = 0; i < perSubmitter + (s < count % submitters ? 1 : 0); i++)
        {
            await SendAsync(dataSource, Message(Guid.NewGuid().ToString()), row: true);
        }
    }));

    await using (var connection = await dataSource.OpenConnectionAsync())
    {
        while (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM reservations WHERE status = 'active'") < count)
        {
            await Task.Delay(5);
        }
    }

    var elapsed = stopwatch.Elapsed;
    await host.StopAsync();
    await using var reader = await dataSource.OpenConnectionAsync();
    var latencies = (await reader.QueryAsync<double>(
        "SELECT extract(epoch FROM launched_at - created_at) * 1000 FROM reservations ORDER BY 1")).ToList();
    return (count / elapsed.TotalSeconds, Percentile(latencies, 50), Percentile(latencies, 99));
}

// The API's submission: the queued row and the message in one statement (one transaction).
static async Task SendAsync(NpgsqlDataSource dataSource, CreateReservationMessage message, bool row)
{
    await using var command = dataSource.CreateCommand(row
        ? """
          WITH inserted AS (
              INSERT INTO reservations (reservation_id, user_id, status, gpu_type, gpu_count, instance_type, duration_hours, created_at)
              VALUES (@id, 'bench', 'queued', 'cpu-x86', 0, 'c7i.8xlarge', 1, clock_timestamp()) RETURNING reservation_id)
          SELECT pgmq.send(@queue::text, @message, 0) FROM inserted
          """
        : "SELECT pgmq.send(@queue::text, @message, 0)");
    command.Parameters.AddWithValue("id", message.ReservationId);
    command.Parameters.AddWithValue("queue", QueueNames.GpuReservations);
    command.Parameters.Add(new NpgsqlParameter("message", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(message) });
    await command.ExecuteScalarAsync();
}

static CreateReservationMessage Message(string id)
{
    var now = DateTimeOffset.UtcNow;
    return new CreateReservationMessage
    {
        JobId = id, ReservationId = id, UserId = "bench", Username = "bench", GpuType = "cpu-x86", GpuCount = 0, GithubUser = "bench",
        Name = $"gpu-dev-{id[..8]}", Version = CreateReservationMessage.CurrentCliVersion, DurationHours = 1, SubmittedAt = now, CreatedAt = now,
        Metadata = new MessageMetadata { CreatedAt = now, MaxRetries = 3 },
    };
}

static double Median(List<double> values) => Percentile([.. values.Order()], 50);

static double Percentile(IReadOnlyList<double> sorted, double percentile) =>
    sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
