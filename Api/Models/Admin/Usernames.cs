using System.Text.RegularExpressions;

namespace GpuDev.Api.Models.Admin;

/// <summary>
/// What a local username may be. Reservations and disks store it as their user_id; production's
/// usernames are AWS session names (letters, digits, '.', '_', '-', '@').
/// </summary>
public static partial class Usernames
{
    public const string Pattern = "^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$";
    public const string PatternMessage = "username must be 1 to 128 letters, digits, '.', '_', '-' or '@', starting with a letter or digit.";

    [GeneratedRegex(Pattern)]
    private static partial Regex Regex();

    public static bool IsValid(string? username) => username is not null && Regex().IsMatch(username);
}
