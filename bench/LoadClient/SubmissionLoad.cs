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

    // Serialised once: the client shares the API's two cores, so it should spend as little as it can.
    private static readonly byte[] BodyBytes = Encoding.UTF8.GetBytes(Body);
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private static readonly Uri SubmitPath = new("/v1/jobs/submit", UriKind.Relative);

    public static Task<LoadResult> RunAsync(Uri baseAddress, string apiKey, int requests, int connections) =>
        RunAsync(baseAddress, apiKey, requests, connections, deadline: null);

    /// <summary>Submits for <paramref name="duration"/> (a warm-up: it ends after the deadline, whatever the count).</summary>
    public static Task<LoadResult> RunForAsync(Uri baseAddress, string apiKey, TimeSpan duration, int connections) =>
        RunAsync(baseAddress, apiKey, MaxRequests, connections, deadline: Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency));

    private const int MaxRequests = 1_000_000;

    private static async Task<LoadResult> RunAsync(Uri baseAddress, string apiKey, int requests, int connections, long? deadline)
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
            // The deadline is checked before an index is claimed, so every claimed index is sent.
            while ((deadline is null || Stopwatch.GetTimestamp() < deadline) && (i = Interlocked.Increment(ref next)) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(BodyBytes);
                content.Headers.ContentType = JsonContentType;
                using var response = await client.PostAsync(SubmitPath, content);
                await response.Content.ReadAsByteArrayAsync();
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                statuses[i] = (int)response.StatusCode;
            }
        })).ToArray();
        await Task.WhenAll(workers);
        total.Stop();

        var sent = Math.Min(requests, next + 1);
        var done = statuses.AsSpan(0, sent).ToArray();
        var counts = done.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        return new LoadResult(sent, done.Count(s => s is >= 200 and < 300), counts, latencies[..sent], total.Elapsed);
    }
}
