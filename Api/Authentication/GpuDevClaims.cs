using System.Security.Claims;

namespace GpuDev.Api.Authentication;

/// <summary>Claims the authentication handlers put on the caller.</summary>
public static class GpuDevClaims
{
    public const string UserId = "gpudev:user_id";
    public const string KeyId = "gpudev:key_id";
    public const string KeyPrefix = "gpudev:key_prefix";

    /// <summary>Why a known key may or may not be used; see <see cref="KeyStates"/>.</summary>
    public const string KeyState = "gpudev:key_state";

    public const string Role = ClaimTypes.Role;
    public const string AdminRole = "admin";

    /// <summary>The username: reservations and disks store it as their user_id.</summary>
    public static string Username(this ClaimsPrincipal user) =>
        user.Identity?.Name ?? throw new InvalidOperationException("The endpoint requires an authenticated API key.");

    public static int ApiUserId(this ClaimsPrincipal user) => int.Parse(user.FindFirstValue(UserId)!, System.Globalization.CultureInfo.InvariantCulture);

    public static int ApiKeyId(this ClaimsPrincipal user) => int.Parse(user.FindFirstValue(KeyId)!, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A known key is authenticated (it identifies its user) but only a valid one is authorized: the
/// others answer 403, as production does for a disabled user, a revoked or an expired key.
/// </summary>
public static class KeyStates
{
    public const string Valid = "valid";
    public const string Revoked = "revoked";
    public const string Expired = "expired";
    public const string UserDisabled = "user_disabled";
}
