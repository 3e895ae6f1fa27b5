namespace GpuDev.Database;

/// <summary>
/// What makes an admin token acceptable. The API checks it at start (<c>Admin:Token</c>) and the
/// Kubernetes publisher before it writes the token into a Secret, so both refuse the same tokens.
/// An absent or empty token is allowed and means "no admin routes".
/// </summary>
public static class AdminTokenRules
{
    /// <summary>The token grants creating users and API keys: 32 characters is 128 bits as hex.</summary>
    public const int MinimumLength = 32;

    /// <summary>The fix every message names.</summary>
    public const string GenerateHint = "Use e.g. the output of `openssl rand -hex 32`.";

    /// <summary>Why <paramref name="token"/> is refused, naming <paramref name="setting"/>; null when it is acceptable or absent.</summary>
    public static string? Problem(string? token, string setting)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        if (token.Trim().Length != token.Length)
        {
            return $"{setting} must not have leading or trailing whitespace, because the API compares the X-Admin-Token header with it exactly. {GenerateHint}";
        }

        return token.Length < MinimumLength
            ? $"{setting} is {token.Length} characters long; it must be at least {MinimumLength}, because it grants creating users and API keys. " +
              $"{GenerateHint} Leave it unset to run without the admin routes."
            : null;
    }
}
