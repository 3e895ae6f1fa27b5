using Microsoft.AspNetCore.Mvc;

namespace GpuDev.Api.Infrastructure;

public static class ProblemDetailsServiceExtensions
{
    /// <summary>Writes an RFC 9457 problem response from code that runs outside an endpoint (handlers, middleware).</summary>
    public static async Task WriteProblemAsync(this IProblemDetailsService problems, HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
