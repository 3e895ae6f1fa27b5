using System.Globalization;
using System.Threading.RateLimiting;
using GpuDev.Api.Infrastructure;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace GpuDev.Api.RateLimiting;

/// <summary>
/// ASP.NET Core's rate limiter, per client address: failed authentication (global,
/// <see cref="FailedAuthenticationLimiter"/>) and admin calls (<see cref="AdminPolicy"/> on the admin group).
/// A refused request is a 429 problem with <c>Retry-After</c>.
/// </summary>
public static class GpuDevRateLimiting
{
    public const string AdminPolicy = "admin";

    public static IHostApplicationBuilder AddGpuDevRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>();
        builder.Services.AddSingleton(services => new FailedAuthenticationLimiter(
            services.GetRequiredService<IOptions<RateLimitingOptions>>().Value.FailedAuthentication));
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<FailedAuthenticationLimiter, IOptions<RateLimitingOptions>>((options, failures, settings) =>
        {
            var admin = settings.Value.Admin;
            options.GlobalLimiter = failures;
            options.AddPolicy(AdminPolicy, context => RateLimitPartition.GetFixedWindowLimiter(ClientAddress.Of(context), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = admin.PermitLimit,
                Window = admin.Window,
                QueueLimit = 0,
            }));
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = WriteRejectionAsync;
        });
        return builder;
    }

    /// <summary>Placed before authentication, so a refused request costs no key lookup.</summary>
    public static WebApplication UseGpuDevRateLimiting(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<RateLimitingOptions>>().Value.Enabled)
        {
            app.UseRateLimiter();
        }

        return app;
    }

    /// <summary>Counts a wrong key or token of this request's address, when limiting is on.</summary>
    public static void RecordFailedAuthentication(this HttpContext context)
    {
        if (context.RequestServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value.Enabled)
        {
            context.RequestServices.GetRequiredService<FailedAuthenticationLimiter>().RecordFailure(context);
        }
    }

    private static async ValueTask WriteRejectionAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? (int)Math.Ceiling(retryAfter.TotalSeconds)
            : 60;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GpuDevRateLimiting))
            .LogWarning("Rate limit reached for {Address} on {Method} {Path}", ClientAddress.Of(context), context.Request.Method, context.Request.Path);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteProblemAsync(
            context, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"This address has made too many failed authentication attempts or admin requests. Retry after {seconds} seconds " +
            "with a valid API key (or admin token); the limits are the API's RateLimiting settings.");
    }
}
