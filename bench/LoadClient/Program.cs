using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using GpuDev.Bench.LoadClient;
using GpuDev.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

// Usage: LoadClient <requests> <connections> <pgbench path> <rounds>
// Starts the stack (real AppHost, local PostgreSQL), then in each round loads POST /v1/jobs/submit and
// runs the pgbench baseline on the same database; prints each round, the medians and their ratio, and
// checks that nothing was lost. Alternating the two in rounds exposes both to the same table growth
// and the same background noise, so the ratio compares like with like.
var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10000;
var connections = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
var pgbench = args.Length > 2 ? args[2] : "pgbench";
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
// The tiered JIT keeps promoting the API's hot paths (instrumented tier, then tier 1) for 10 to 15 s
// of load on a busy 2-core machine, and took a third of the API's CPU while it did; the warm-up runs
// until that has settled, so the measurement sees the steady state.
var warmupTime = TimeSpan.FromSeconds(20);
var rssSampleInterval = TimeSpan.FromMilliseconds(100);
var startRuns = 5;

// The published program (bench/api-load publishes it and names it in GPUDEV_TEST_API_PROGRAM; the environment
// starts it in place of the build the AppHost would start).
var apiProgram = GpuDevEnvironment.ApiProgram;
Console.WriteLine(apiProgram is null
    ? "API: the Debug build the AppHost runs (JIT-compiled)"
    : $"API: the published program (Native AOT), {apiProgram}");
Console.WriteLine("Starting the stack (local PostgreSQL, migration worker, API)...");
// Health probes fail until PostgreSQL accepts connections; that start-up noise is not the benchmark's output.
// The API's endpoint is not proxied: the load measures the API, not the development proxy in front of it.
await using var environment = await GpuDevEnvironment.StartAsync(configure: builder =>
{
    // Resource console output (every PostgreSQL and API log line) is not the benchmark's output either.
    builder.Services.AddLogging(logging => logging
        .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
        .AddFilter("GpuDev.AppHost.Resources", LogLevel.None));
    // The reservation processor would delete the queue messages the benchmark counts (and share the two cores
    // with the API): the benchmark measures the API and the database.
    builder.Resources.Remove(builder.Resources.Single(r => r.Name == GpuDevEnvironment.ProcessorResource));
    foreach (var endpoint in builder.Resources.Single(r => r.Name == GpuDevEnvironment.ApiResource).Annotations.OfType<EndpointAnnotation>())
    {
        endpoint.IsProxied = false;
    }
});
var apiBase = environment.App.GetEndpoint(GpuDevEnvironment.ApiResource, "http");
var connectionString = await environment.DatabaseConnectionStringAsync();

using var admin = new HttpClient { BaseAddress = apiBase };
admin.DefaultRequestHeaders.Add("X-Admin-Token", environment.AdminToken);
(await admin.PostAsJsonAsync("/v1/admin/users", new { username = "bench" })).EnsureSuccessStatusCode();
var login = await (await admin.PostAsJsonAsync("/v1/admin/users/bench/keys", new { ttl_hours = 24 })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
var apiKey = login.GetProperty("api_key").GetString()!;

// The API's memory as the operating system counts it (RSS), idle and under this load: the process of the
// `api` resource (its program, or the program below a `dotnet run` launcher).
environment.App.ResourceNotifications.TryGetCurrentState(GpuDevEnvironment.ApiResource, out var apiState);
var apiPid = Convert.ToInt32(apiState!.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value, CultureInfo.InvariantCulture);
var apiMemory = ProcessMemory.Find(apiPid, "GpuDev.Api");
// Idle: started, one user and key created, then left alone long enough for the start-up garbage to be collected.
await Task.Delay(TimeSpan.FromSeconds(10));
var idleRss = apiMemory.RssMiB();
var idleBreakdown = apiMemory.Breakdown();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"API process {apiMemory.Pid}: RSS idle {idleRss:F1} MiB"));
Console.WriteLine($"  idle: {idleBreakdown}");

// Start-up: copies of the API's program with its environment, timed from exec to the first /health 200.
var startTimes = new List<double>();
for (var run = 0; run < startRuns; run++)
{
    startTimes.Add(await ApiStartTime.MeasureAsync(apiMemory.Pid));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"API start to /health 200: median {Median(startTimes):F2} s of {startRuns} ({string.Join(" ", startTimes.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))})"));

Console.WriteLine($"API at {apiBase}; warming up for {warmupTime.TotalSeconds:F0} s...");
var (warmup, warmupPeakRss) = await apiMemory.PeakDuringAsync(() => SubmissionLoad.RunForAsync(apiBase, apiKey, warmupTime, connections), rssSampleInterval);
var loads = new List<LoadResult>();
var pgbenchRuns = new List<double>();
var loadPeakRss = new List<double>();
MemoryBreakdown? loadBreakdown = null;
for (var round = 1; round <= rounds; round++)
{
    var (load, peakRss) = await apiMemory.PeakDuringAsync(() => SubmissionLoad.RunAsync(apiBase, apiKey, requests, connections), rssSampleInterval);
    var tps = await PgbenchBaseline.RunAsync(pgbench, connectionString, requests, connections);
    loads.Add(load);
    pgbenchRuns.Add(tps);
    loadPeakRss.Add(peakRss);
    if (round == rounds)
    {
        loadBreakdown = apiMemory.Breakdown();
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round {round}/{rounds}: API {load.RequestsPerSecond,6:F0} req/s  p50 {load.Percentile(50),6:F2} ms  p99 {load.Percentile(99),6:F2} ms  non-2xx {load.Requests - load.Successes}  peak RSS {peakRss,5:F1} MiB   pgbench {tps,6:F0} tps"));
}

await Task.Delay(TimeSpan.FromSeconds(10));
var afterRss = apiMemory.RssMiB();
var afterBreakdown = apiMemory.Breakdown();

await using var connection = new NpgsqlConnection(connectionString);
await connection.OpenAsync();
async Task<long> CountAsync(string sql, string user)
{
    await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = user } } };
    return (long)(await command.ExecuteScalarAsync())!;
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

var apiSuccesses = warmup.Successes + loads.Sum(l => l.Successes);
var apiRows = await CountAsync("SELECT count(*) FROM reservations WHERE user_id = $1", "bench");
var apiMessages = await CountAsync("SELECT count(*) FROM pgmq.q_gpu_reservations WHERE message->>'user_id' = $1", "bench");
var pgbenchExpected = requests / connections * connections * rounds;
var pgbenchRows = await CountAsync("SELECT count(*) FROM reservations WHERE user_id = $1", PgbenchBaseline.User);
var pgbenchMessages = await CountAsync("SELECT count(*) FROM pgmq.q_gpu_reservations WHERE message->>'user_id' = $1", PgbenchBaseline.User);

var requestsPerSecond = Median(loads.Select(l => l.RequestsPerSecond));
var p50 = Median(loads.Select(l => l.Percentile(50)));
var p99 = Median(loads.Select(l => l.Percentile(99)));
var pgbenchTps = Median(pgbenchRuns);
var ratio = requestsPerSecond / pgbenchTps;
var nonSuccess = loads.Sum(l => l.Requests - l.Successes) + warmup.Requests - warmup.Successes;
var statusCounts = loads.SelectMany(l => l.StatusCounts).GroupBy(s => s.Key).OrderBy(g => g.Key).Select(g => $"{g.Key} x{g.Sum(s => s.Value)}");
var lost = apiRows != apiSuccesses || apiMessages != apiSuccesses || pgbenchRows != pgbenchExpected || pgbenchMessages != pgbenchExpected;

Console.WriteLine();
Console.WriteLine($"median of {rounds} rounds, {requests} submissions each at {connections} connections, API {(apiProgram is null ? "JIT (Debug build)" : "Native AOT (published)")}:");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"API  POST /v1/jobs/submit  requests/s {requestsPerSecond:F0}   p50 {p50:F2} ms   p99 {p99:F2} ms   (max of all {loads.Max(l => l.LatenciesMs.Max()):F2} ms)"));
Console.WriteLine($"     status codes: {string.Join(", ", statusCounts)}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"API RSS: idle {idleRss:F1} MiB   under load: median of round peaks {Median(loadPeakRss):F1} MiB, max {Math.Max(warmupPeakRss, loadPeakRss.Max()):F1} MiB (warm-up included)   idle again 10 s after the load {afterRss:F1} MiB"));
Console.WriteLine($"  idle:                        {idleBreakdown}");
Console.WriteLine($"  after the last round's load: {loadBreakdown}");
Console.WriteLine($"  idle again:                  {afterBreakdown}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"API start to /health 200 (its own program and environment, on another port): median {Median(startTimes):F2} s of {startRuns}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pgbench (type check, insert + pgmq.send, prepared), {connections} clients: {pgbenchTps:F0} tps"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio API/pgbench (medians): {ratio:F2}"));
Console.WriteLine($"API: 2xx {apiSuccesses}, reservations {apiRows}, messages {apiMessages} (warm-up included)");
Console.WriteLine($"pgbench: transactions {pgbenchExpected}, reservations {pgbenchRows}, messages {pgbenchMessages}");
Console.WriteLine();
Console.WriteLine($"target ratio >= 0.5: {(ratio >= 0.5 ? "met" : "NOT met")}");
Console.WriteLine($"target p99 < 20 ms: {(p99 < 20 ? "met" : "NOT met")}");
Console.WriteLine($"no non-2xx: {(nonSuccess == 0 ? "met" : $"NOT met ({nonSuccess})")}");
Console.WriteLine($"none lost: {(lost ? "NOT met" : "met")}");
Console.WriteLine($"target RSS idle <= 80 MiB: {(idleRss <= 80 ? "met" : "NOT met")}");
Console.WriteLine($"target RSS under load <= 150 MiB (max): {(Math.Max(warmupPeakRss, loadPeakRss.Max()) <= 150 ? "met" : "NOT met")}");
return nonSuccess == 0 && !lost ? 0 : 1;
