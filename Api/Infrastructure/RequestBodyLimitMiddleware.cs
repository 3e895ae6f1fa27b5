using Microsoft.Extensions.Options;

namespace GpuDev.Api.Infrastructure;

/// <summary>
/// Answers an oversized declared body with a 413 problem before anything reads it. Kestrel's own limit
/// (set to the same value) still stops chunked bodies that grow past it while being read.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<RequestLimitsOptions> options, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var max = options.Value.MaxBodyBytes;
        if (context.Request.ContentLength > max)
        {
            await problems.WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"The request body is {context.Request.ContentLength} bytes; this API accepts at most {max} bytes. Send only the documented fields.");
            return;
        }

        await next(context);
    }
}
