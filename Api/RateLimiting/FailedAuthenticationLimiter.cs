using System.Threading.RateLimiting;

namespace GpuDev.Api.RateLimiting;

/// <summary>
/// The global limiter of ASP.NET Core's rate-limiting middleware, counting only failed authentication:
/// the authentication handlers spend a permit of the caller's address for each wrong key or token
/// (<see cref="RecordFailure"/>), and once an address has none left in the window, every request of
/// it that carries credentials is refused (429) before its credentials are looked up, a right one
/// included, so guessing cannot go on at the same pace. Requests without credentials pass.
/// </summary>
public sealed class FailedAuthenticationLimiter(WindowLimit limit) : PartitionedRateLimiter<HttpContext>
{
    private static readonly PartitionedRateLimiter<HttpContext> Unlimited =
        PartitionedRateLimiter.Create<HttpContext, string>(_ => RateLimitPartition.GetNoLimiter(string.Empty));

    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            QueueLimit = 0,
        }));

    /// <summary>Spends one of the address's failures (the lease of a fixed window returns nothing when disposed).</summary>
    public void RecordFailure(HttpContext context)
    {
        using var lease = _failures.AttemptAcquire(ClientAddress.Of(context));
    }

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => _failures.GetStatistics(ClientAddress.Of(resource));

    // Zero permits asks "is any failure left?" without spending one.
    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
        CarriesCredentials(resource) ? _failures.AttemptAcquire(ClientAddress.Of(resource), 0) : Unlimited.AttemptAcquire(resource, permitCount);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _failures.Dispose();
        }

        base.Dispose(disposing);
    }

    private static bool CarriesCredentials(HttpContext context) =>
        context.Request.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.Authorization)
        || context.Request.Headers.ContainsKey(Authentication.AdminTokenAuthenticationHandler.HeaderName);
}
