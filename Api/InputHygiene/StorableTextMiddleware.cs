using GpuDev.Api.Infrastructure;

namespace GpuDev.Api.InputHygiene;

/// <summary>
/// Refuses a query string or route value PostgreSQL cannot store (<see cref="StorableText"/>) with a 400
/// before the endpoint runs, so it never reaches a statement. Bodies are checked by
/// <see cref="StorableTextConverter"/> as they are read; the API stores no header (keys and the admin
/// token are checked against their own formats and compared as hashes).
/// </summary>
public sealed class StorableTextMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (FindProblem(context) is { } detail)
        {
            await problems.WriteProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid text", detail);
            return;
        }

        await next(context);
    }

    private static string? FindProblem(HttpContext context)
    {
        foreach (var (name, values) in context.Request.Query)
        {
            if (StorableText.Problem(name) is { } nameProblem)
            {
                return StorableText.Detail("A query parameter name", nameProblem);
            }

            foreach (var value in values)
            {
                if (value is not null && StorableText.Problem(value) is { } valueProblem)
                {
                    return StorableText.Detail($"The query parameter '{name}'", valueProblem);
                }
            }
        }

        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is string text && StorableText.Problem(text) is { } problem)
            {
                return StorableText.Detail($"The path parameter '{name}'", problem);
            }
        }

        return null;
    }
}
