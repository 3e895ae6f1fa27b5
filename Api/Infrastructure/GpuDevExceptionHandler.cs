using System.Text.Json;
using System.Text.RegularExpressions;
using GpuDev.Api.InputHygiene;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace GpuDev.Api.Infrastructure;

/// <summary>
/// Turns exceptions into problem details: bad input (unreadable JSON, unbindable parameters, values
/// PostgreSQL refuses to store) becomes a 4xx naming the cause; anything else a 500 without internals.
/// Never a stack trace.
/// </summary>
public sealed partial class GpuDevExceptionHandler(IProblemDetailsService problems, ILogger<GpuDevExceptionHandler> logger) : IExceptionHandler
{
    // Exception messages name CLR types and framework internals; a caller gets the field (or parameter) and the fix.
    private static string Describe(JsonException json) =>
        json.Path is { Length: > 1 } path
            ? $"the value at {path} is not valid JSON of the documented type (numbers must be JSON numbers within the documented limits, whole numbers where the field is an integer; text must be JSON strings)."
            : "the body is not a valid JSON object.";

    private static string Describe(BadHttpRequestException bad) =>
        ParameterName().Match(bad.Message) is { Success: true } match
            ? $"The parameter '{match.Groups["name"].Value}' has an invalid value. Check it against /openapi/v1.json."
            : "The request could not be read. Check it against /openapi/v1.json.";

    [GeneratedRegex("parameter \"(?:[^\" ]+ )?(?<name>[A-Za-z_][A-Za-z0-9_]*)\"")]
    private static partial Regex ParameterName();

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException { InnerException: UnstorableTextException text } => (StatusCodes.Status400BadRequest, "Invalid text", text.Detail),
            BadHttpRequestException { InnerException: JsonException json } => (StatusCodes.Status400BadRequest, "Invalid JSON body",
                $"The request body could not be read as this endpoint's JSON: {Describe(json)} Send a JSON object with the documented fields and types (see /openapi/v1.json)."),
            BadHttpRequestException bad => (bad.StatusCode, "Invalid request", Describe(bad)),
            // Class 22 is "data exception": a value PostgreSQL cannot store (NUL characters, out-of-range numbers...).
            PostgresException { SqlState: var state } when state.StartsWith("22", StringComparison.Ordinal) => (StatusCodes.Status400BadRequest, "Invalid value",
                "A value in the request cannot be stored. Remove control characters such as \\u0000 and keep values within the documented limits."),
            _ => (StatusCodes.Status500InternalServerError, "Internal server error",
                $"The request failed on the server and nothing it describes should be assumed done. Retry; if it fails again, look up trace {System.Diagnostics.Activity.Current?.TraceId} in the dashboard."),
        };

        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled exception for {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }
        else
        {
            // PostgreSQL's message can quote the refused value (a key, an env var): log its code only.
            var reason = exception is PostgresException postgres ? $"PostgreSQL refused a value (SQLSTATE {postgres.SqlState})" : exception.Message;
            logger.LogInformation("Rejected bad input for {Method} {Path}: {Reason}", httpContext.Request.Method, httpContext.Request.Path, reason);
        }

        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        await problems.WriteProblemAsync(httpContext, status, title, detail);
        return true;
    }
}
