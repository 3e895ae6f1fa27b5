using System.Text.RegularExpressions;

namespace GpuDev.Api.Models;

/// <summary>Production's rule for disk names.</summary>
public static partial class DiskNames
{
    public const string Pattern = "^[a-zA-Z0-9_-]{1,64}$";
    public const string PatternMessage = "disk_name must be 1 to 64 letters, digits, '-' or '_'.";

    [GeneratedRegex(Pattern)]
    private static partial Regex Regex();

    public static bool IsValid(string? name) => name is not null && Regex().IsMatch(name);
}
