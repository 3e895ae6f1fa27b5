using System.Text.RegularExpressions;

namespace GpuDev.Api.Models;

/// <summary>Production's rule for disk names.</summary>
public static partial class DiskNames
{
    public const string Pattern = "^[a-zA-Z0-9_-]{1,64}$";
    // Production's detail, which it gives for any character outside the set; this API also caps the length at 64.
    public const string PatternMessage = "Disk name must contain only letters, numbers, hyphens, and underscores (1 to 64 characters)";

    [GeneratedRegex(Pattern)]
    private static partial Regex Regex();

    public static bool IsValid(string? name) => name is not null && Regex().IsMatch(name);
}
