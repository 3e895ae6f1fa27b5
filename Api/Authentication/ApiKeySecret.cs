using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace GpuDev.Api.Authentication;

/// <summary>
/// The format of an API key: 64 random bytes in URL-safe base64 without padding (86 characters, as
/// production's <c>secrets.token_urlsafe(64)</c>). Only its SHA-256 hex digest and first 8 characters are stored.
/// </summary>
public static class ApiKeySecret
{
    public const int RandomBytes = 64;
    public const int Length = 86;
    public const int PrefixLength = 8;

    public static string Generate() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomBytes));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string Prefix(string key) => key[..PrefixLength];

    public static bool IsWellFormed(string key) => key.Length == Length && key.All(IsUrlSafe);

    public static bool IsWellFormedPrefix(string prefix) => prefix.Length == PrefixLength && prefix.All(IsUrlSafe);

    private static bool IsUrlSafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}
