using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace GpuDev.Bench.LoadClient;

/// <summary>
/// Seconds from starting the API's program to its first <c>/health</c> 200: the running API's own command line,
/// working directory and environment (so the same database, settings and telemetry), on a free loopback port
/// of its own. Each copy is stopped once it has answered; the stack's API is left alone.
/// </summary>
public static class ApiStartTime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    // The AppHost's port settings for the running copy; the copy gets ASPNETCORE_URLS instead.
    private static readonly string[] PortVariables = ["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "HTTP_PORTS", "HTTPS_PORTS"];

    public static async Task<double> MeasureAsync(int apiPid)
    {
        var commandLine = File.ReadAllText($"/proc/{apiPid}/cmdline").TrimEnd('\0').Split('\0');
        var start = new ProcessStartInfo(commandLine[0])
        {
            WorkingDirectory = Path.GetFullPath($"/proc/{apiPid}/cwd/"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in commandLine.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var variable in File.ReadAllText($"/proc/{apiPid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = variable.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && !PortVariables.Contains(variable[..equals]))
            {
                start.Environment[variable[..equals]] = variable[(equals + 1)..];
            }
        }

        var port = FreePort();
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        // Drained so a full pipe never blocks the copy's logging.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (clock.Elapsed < Timeout)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"The API copy exited with code {process.ExitCode} before answering /health.");
                }

                try
                {
                    using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return clock.Elapsed.TotalSeconds;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(PollInterval);
            }

            throw new TimeoutException($"The API copy did not answer /health with 200 within {Timeout.TotalSeconds:F0} s.");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
