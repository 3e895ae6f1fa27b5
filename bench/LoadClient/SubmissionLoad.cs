using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace GpuDev.Bench.LoadClient;

/// <summary>The result of one load run: every request's latency and status.</summary>
public sealed record LoadResult(int Requests, int Successes, IReadOnlyDictionary<int, int> StatusCounts, double[] LatenciesMs, TimeSpan Elapsed)
{
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    public double Percentile(double p)
    {
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>
/// Submits jobs over a fixed number of keep-alive connections, one request in flight per connection,
/// and records each latency. Hand-written because no HTTP load tool is installed here and it keeps the
/// benchmark to the .NET SDK the repository already needs.
/// </summary>
public static class SubmissionLoad
{
    public const string Body = """{"image":"pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime","duration_hours":4,"env_vars":{"GPU_TYPE":"t4","GPU_COUNT":"1","GITHUB_USER":"bench"},"command":"python train.py"}""";

    public static async Task<LoadResult> RunAsync(Uri baseAddress, string apiKey, int requests, int connections)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

        var latencies = new double[requests];
        var statuses = new int[requests];
        var next = -1;
        var total = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                using var content = new StringContent(Body, Encoding.UTF8, "application/json");
                using var response = await client.PostAsync(new Uri("/v1/jobs/submit", UriKind.Relative), content);
                await response.Content.ReadAsByteArrayAsync();
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                statuses[i] = (int)response.StatusCode;
            }
        })).ToArray();
        await Task.WhenAll(workers);
        total.Stop();

        var counts = statuses.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        return new LoadResult(requests, statuses.Count(s => s is >= 200 and < 300), counts, latencies, total.Elapsed);
    }
}
