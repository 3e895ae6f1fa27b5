using System.Security.Claims;
using System.Text.Encodings.Web;
using GpuDev.Api.Infrastructure;
using GpuDev.Api.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace GpuDev.Api.Authentication;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;api key&gt;</c>. A missing, malformed or unknown key fails
/// authentication (401); a known key authenticates with its state, and the <see cref="AuthorizationPolicies.ApiKey"/>
/// policy lets only valid keys through (403 otherwise), so every endpoint gets the same rules.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore store,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private const string BearerPrefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <api key>'.");
        }

        var key = header[BearerPrefix.Length..].Trim();
        if (!ApiKeySecret.IsWellFormed(key))
        {
            return AuthenticateResult.Fail(
                $"The API key is malformed: a key is {ApiKeySecret.Length} URL-safe characters (A-Z, a-z, 0-9, '-', '_'). Copy the whole api_key you were given.");
        }

        var stored = await store.AuthenticateAsync(key, Context.RequestAborted);
        if (stored is null)
        {
            return AuthenticateResult.Fail("The API key is not known. Get a new key (POST /v1/admin/users/{username}/keys locally, or log in again).");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, stored.Username),
                new Claim(GpuDevClaims.UserId, stored.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(GpuDevClaims.KeyId, stored.KeyId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(GpuDevClaims.KeyPrefix, stored.KeyPrefix),
                new Claim(GpuDevClaims.KeyState, stored.State),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (result.Failure is not null)
        {
            // A wrong key or token (not a missing one) spends one of the address's failed attempts.
            Context.RecordFailedAuthentication();
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteProblemAsync(Context, StatusCodes.Status401Unauthorized, "Authentication required",
            result.Failure?.Message ?? "This endpoint needs an API key: send 'Authorization: Bearer <api key>'.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var state = result.Principal?.FindFirstValue(GpuDevClaims.KeyState);
        var prefix = result.Principal?.FindFirstValue(GpuDevClaims.KeyPrefix);
        var detail = state switch
        {
            KeyStates.UserDisabled => $"The user '{result.Principal?.Identity?.Name}' is disabled. Ask an administrator to enable the account.",
            KeyStates.Revoked => $"The API key {prefix}… has been revoked. Use your current key or get a new one.",
            KeyStates.Expired => $"The API key {prefix}… has expired. Get a new key (log in again) or rotate before expiry with POST /v1/keys/rotate.",
            _ => "The API key may not use this endpoint.",
        };
        await problems.WriteProblemAsync(Context, StatusCodes.Status403Forbidden, "API key not usable", detail);
    }
}
