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

// Usage: LoadClient <requests> <connections> <pgbench path>
// Starts the stack (real AppHost, local PostgreSQL), loads POST /v1/jobs/submit, then runs the pgbench
// baseline on the same database, prints the figures and checks that nothing was lost.
var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
var connections = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
var pgbench = args.Length > 2 ? args[2] : "pgbench";
const int WarmupRequests = 500;

Console.WriteLine("Starting the stack (local PostgreSQL, migration worker, API)...");
// Health probes fail until PostgreSQL accepts connections; that start-up noise is not the benchmark's output.
// The API's endpoint is not proxied: the load measures the API, not the development proxy in front of it.
await using var environment = await GpuDevEnvironment.StartAsync(configure: builder =>
{
    builder.Services.AddLogging(logging => logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
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

Console.WriteLine($"API at {apiBase}; warming up with {WarmupRequests} submissions...");
var warmup = await SubmissionLoad.RunAsync(apiBase, apiKey, WarmupRequests, connections);
Console.WriteLine($"Measuring {requests} submissions at {connections} connections...");
var load = await SubmissionLoad.RunAsync(apiBase, apiKey, requests, connections);

Console.WriteLine($"Running pgbench: {requests} transactions, {connections} clients...");
var pgbenchTps = await PgbenchBaseline.RunAsync(pgbench, connectionString, requests, connections);

await using var connection = new NpgsqlConnection(connectionString);
await connection.OpenAsync();
async Task<long> CountAsync(string sql, string user)
{
    await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = user } } };
    return (long)(await command.ExecuteScalarAsync())!;
}

var apiSuccesses = warmup.Successes + load.Successes;
var apiRows = await CountAsync("SELECT count(*) FROM reservations WHERE user_id = $1", "bench");
var apiMessages = await CountAsync("SELECT count(*) FROM pgmq.q_gpu_reservations WHERE message->>'user_id' = $1", "bench");
var pgbenchExpected = requests / connections * connections;
var pgbenchRows = await CountAsync("SELECT count(*) FROM reservations WHERE user_id = $1", PgbenchBaseline.User);
var pgbenchMessages = await CountAsync("SELECT count(*) FROM pgmq.q_gpu_reservations WHERE message->>'user_id' = $1", PgbenchBaseline.User);

var ratio = load.RequestsPerSecond / pgbenchTps;
var nonSuccess = load.Requests - load.Successes + warmup.Requests - warmup.Successes;
var lost = apiRows != apiSuccesses || apiMessages != apiSuccesses || pgbenchRows != pgbenchExpected || pgbenchMessages != pgbenchExpected;

Console.WriteLine();
Console.WriteLine($"API  POST /v1/jobs/submit: {load.Requests} requests, {connections} connections, {load.Elapsed.TotalSeconds:F2} s");
Console.WriteLine($"     requests/s {load.RequestsPerSecond:F0}   p50 {load.Percentile(50):F2} ms   p99 {load.Percentile(99):F2} ms   max {load.LatenciesMs.Max():F2} ms");
Console.WriteLine($"     status codes: {string.Join(", ", load.StatusCounts.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}"))}");
Console.WriteLine($"pgbench (insert + pgmq.send), {connections} clients: {pgbenchTps:F0} tps");
Console.WriteLine($"ratio API/pgbench: {ratio:F2}");
Console.WriteLine($"API: 2xx {apiSuccesses}, reservations {apiRows}, messages {apiMessages} (warm-up included)");
Console.WriteLine($"pgbench: transactions {pgbenchExpected}, reservations {pgbenchRows}, messages {pgbenchMessages}");
Console.WriteLine();
Console.WriteLine($"target ratio >= 0.5: {(ratio >= 0.5 ? "met" : "NOT met")}");
Console.WriteLine($"target p99 < 20 ms: {(load.Percentile(99) < 20 ? "met" : "NOT met")}");
Console.WriteLine($"no non-2xx: {(nonSuccess == 0 ? "met" : $"NOT met ({nonSuccess})")}");
Console.WriteLine($"none lost: {(lost ? "NOT met" : "met")}");
return nonSuccess == 0 && !lost ? 0 : 1;
