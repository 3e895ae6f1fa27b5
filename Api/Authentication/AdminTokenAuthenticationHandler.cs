using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using GpuDev.Api.Infrastructure;
using GpuDev.Api.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace GpuDev.Api.Authentication;

/// <summary>
/// Authenticates the <c>X-Admin-Token</c> header against the configured admin token. The comparison is
/// constant-time over SHA-256 digests, so neither the content nor the length of the token leaks through timing.
/// </summary>
public sealed class AdminTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<AdminOptions> adminOptions,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminToken";
    public const string HeaderName = "X-Admin-Token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? presented = Request.Headers[HeaderName];
        if (string.IsNullOrEmpty(presented))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var expected = adminOptions.CurrentValue.Token;
        if (string.IsNullOrEmpty(expected))
        {
            return Task.FromResult(AuthenticateResult.Fail(
                "No admin token is configured on this API. Set Admin__Token (the AppHost sets it from its 'admin-token' parameter)."));
        }

        if (!CryptographicOperations.FixedTimeEquals(Digest(presented), Digest(expected)))
        {
            return Task.FromResult(AuthenticateResult.Fail(
                $"The {HeaderName} header does not match the admin token. Use the 'admin-token' parameter shown in the Aspire dashboard."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin"), new Claim(GpuDevClaims.Role, GpuDevClaims.AdminRole)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (result.Failure is not null)
        {
            // A wrong key or token (not a missing one) spends one of the address's failed attempts.
            Context.RecordFailedAuthentication();
        }

        await problems.WriteProblemAsync(Context, StatusCodes.Status401Unauthorized, "Admin token required",
            result.Failure?.Message ?? $"This endpoint needs the admin token in the {HeaderName} header (the AppHost's 'admin-token' parameter).");
    }

    private static byte[] Digest(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
