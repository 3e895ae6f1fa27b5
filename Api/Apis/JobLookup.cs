using GpuDev.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace GpuDev.Api.Apis;

/// <summary>A job a request names: its full id, owner and status.</summary>
public sealed record FoundJob(string ReservationId, string UserId, string Status);

/// <summary>
/// Finds the job a request names, by full id or by a unique prefix of one of the caller's own job ids (the CLI
/// shows the first 8 characters), and applies production's ownership rule: a missing job is 404
/// "Job {id} not found", another user's job 403 with the action's own detail.
/// </summary>
public static class JobLookup
{
    /// <summary>The CLI's short ids are 8 characters; shorter prefixes would match too much to be safe.</summary>
    public const int MinimumPrefixLength = 8;

    public const string ViewDenied = "You can only view your own jobs";
    public const string CancelDenied = "Not authorized to cancel this job";
    public const string ExtendDenied = "Not authorized to extend this job";
    public const string ModifyDenied = "Not authorized to modify this job";

    /// <summary>How many ambiguous matches an error names.</summary>
    private const int ListedMatches = 5;

    public static async Task<(FoundJob? Job, ProblemHttpResult? Problem)> ResolveAsync(
        NpgsqlDataSource dataSource, string jobId, string username, string deniedDetail, CancellationToken cancellationToken)
    {
        // An exact id first (any owner, to tell 403 from 404), else the caller's own jobs starting with it.
        await using var command = dataSource.CreateCommand(
            """
            SELECT reservation_id, user_id, status FROM reservations WHERE reservation_id = $1
            UNION ALL
            (SELECT reservation_id, user_id, status FROM reservations
             WHERE length($1) >= $3 AND user_id = $2 AND left(reservation_id, length($1)) = $1 AND reservation_id <> $1
               AND NOT EXISTS (SELECT 1 FROM reservations WHERE reservation_id = $1)
             ORDER BY created_at DESC LIMIT $4)
            """);
        command.Parameters.Add(new() { Value = jobId });
        command.Parameters.Add(new() { Value = username });
        command.Parameters.Add(new() { Value = MinimumPrefixLength });
        command.Parameters.Add(new() { Value = ListedMatches + 1 });
        var matches = new List<FoundJob>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                matches.Add(new FoundJob(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        return matches switch
        {
            [] => (null, NotFound(jobId)),
            [var job] when job.ReservationId != jobId || job.UserId == username => (job, null),
            [_] => (null, TypedResults.Problem(deniedDetail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden")),
            _ => (null, Problems.Conflict(
                $"Job id prefix '{jobId}' matches more than one of your jobs ({string.Join(", ", matches.Take(ListedMatches).Select(m => m.ReservationId))}{(matches.Count > ListedMatches ? ", ..." : "")}). Give more characters of the id, or the full id (GET /v1/jobs lists them).")),
        };
    }

    public static ProblemHttpResult NotFound(string jobId) =>
        Problems.NotFound($"Job {(jobId.Length <= 80 ? jobId : jobId[..80] + "…")} not found");
}
