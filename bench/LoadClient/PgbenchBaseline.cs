using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace GpuDev.Bench.LoadClient;

/// <summary>
/// The database-only baseline: pgbench runs the endpoint's own statement (GPU type re-check,
/// reservation insert and pgmq.send in one transaction) with the same number of clients against the
/// same database, prepared (-M prepared) as the API's statements are.
/// </summary>
public static partial class PgbenchBaseline
{
    public const string User = "pgbench-baseline";

    private const string Script =
        """
        WITH current_type AS (
            SELECT EXISTS (SELECT 1 FROM gpu_types WHERE gpu_type = 't4' AND instance_type = 'g4dn.12xlarge' AND max_gpus = 4 AND is_active) AS ok),
        inserted AS (
            INSERT INTO reservations (reservation_id, user_id, status, gpu_type, gpu_count, instance_type, duration_hours,
                                      created_at, name, github_user, pod_name, jupyter_enabled, disk_name)
            SELECT gen_random_uuid()::text, 'pgbench-baseline', 'queued', 't4', 1, 'g4dn.12xlarge', 4, now(), NULL, 'bench', NULL, false, NULL
            FROM current_type WHERE ok
            ON CONFLICT (reservation_id) DO NOTHING
            RETURNING reservation_id)
        SELECT ok, (SELECT pgmq.send('gpu_reservations'::text, jsonb_build_object('action', 'create_reservation', 'job_id', reservation_id, 'reservation_id', reservation_id, 'user_id', 'pgbench-baseline', 'username', 'pgbench-baseline', 'gpu_type', 't4', 'gpu_count', 1, 'instance_type', 'g4dn.12xlarge', 'dockerimage', 'pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime', 'duration_hours', 4, 'disk_name', NULL, 'disk_size_gb', NULL, 'env_vars', '{"GPU_TYPE":"t4","GPU_COUNT":"1","GITHUB_USER":"bench"}'::jsonb, 'command', 'python train.py', 'name', NULL, 'github_user', 'bench', 'pod_name', NULL, 'jupyter_enabled', false, 'submitted_at', now(), 'status', 'queued', 'retry_count', 0, 'max_retries', 3), 0) FROM inserted) FROM current_type;
        """;

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();

    public static async Task<double> RunAsync(string pgbench, string connectionString, int transactions, int clients)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var scriptPath = Path.Combine(Path.GetTempPath(), $"gpudev-pgbench-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(scriptPath, Script.ReplaceLineEndings(" ") + "\n");
        try
        {
            var start = new ProcessStartInfo(pgbench) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[]
                     {
                         "-n", "-M", "prepared", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2",
                         "-t", (transactions / clients).ToString(CultureInfo.InvariantCulture), "-f", scriptPath,
                         "-h", target.Host!, "-p", target.Port.ToString(CultureInfo.InvariantCulture), "-U", target.Username!, target.Database!,
                     })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["PGPASSWORD"] = target.Password;
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var tps = TpsLine().Match(output);
            if (process.ExitCode != 0 || !tps.Success)
            {
                throw new InvalidOperationException($"pgbench failed (exit {process.ExitCode}):\n{output}\n{errors}");
            }

            return double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(scriptPath);
        }
    }
}
