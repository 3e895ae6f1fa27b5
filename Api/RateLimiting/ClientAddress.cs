namespace GpuDev.Api.RateLimiting;

/// <summary>The partition key of every limit: the connection's remote address.</summary>
public static class ClientAddress
{
    // No forwarded-headers trust: a client could otherwise pick its own partition by sending X-Forwarded-For.
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
