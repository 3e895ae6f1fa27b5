using System.Security.Cryptography;
using System.Text;

namespace GpuDev.Database.Migrations;

/// <summary>
/// The migration hash: production's job-name scheme (first 8 hex characters of md5 over the
/// concatenated lowercase md5 hex digests of the files in sorted order), but over schema AND fixture
/// files, so that a fixture-only edit also yields a new hash.
/// </summary>
/// <remarks>
/// The worker records this hash in its journal and the Kubernetes publisher names the migration Job
/// (and the API's init container waits) by it: both call this one implementation, so they always agree.
/// </remarks>
public static class MigrationHash
{
    /// <summary>The hash of the migration files in <paramref name="databaseDirectory"/> (see <see cref="MigrationFileSet"/>).</summary>
    public static string Compute(string databaseDirectory) => MigrationFileSet.Load(databaseDirectory).Hash;

    /// <summary>
    /// The hash of files given as <c>schema/&lt;name&gt;</c> or <c>fixtures/&lt;name&gt;</c> with their
    /// bytes; they are put in the canonical order (schema, then fixtures, ordinal by file name) first.
    /// </summary>
    public static string ComputeFromContents(IEnumerable<(string RelativeName, byte[] Content)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var digests = new StringBuilder();
        foreach (var (_, content) in files
                     .OrderBy(f => GroupRank(f.RelativeName))
                     .ThenBy(f => FileName(f.RelativeName), StringComparer.Ordinal))
        {
            digests.Append(Md5Hex(content));
        }

        return Md5Hex(Encoding.ASCII.GetBytes(digests.ToString()))[..8];
    }

    /// <summary>Lowercase hex md5 of <paramref name="content"/>, as Terraform's filemd5 prints it.</summary>
#pragma warning disable CA5351 // md5 is production's naming scheme, not a security control.
    public static string Md5Hex(byte[] content) => Convert.ToHexStringLower(MD5.HashData(content));
#pragma warning restore CA5351

    private static int GroupRank(string relativeName) =>
        relativeName.Replace('\\', '/').Split('/')[0] switch
        {
            MigrationFileSet.SchemaDirectoryName => 0,
            MigrationFileSet.FixturesDirectoryName => 1,
            _ => 2,
        };

    private static string FileName(string relativeName) => relativeName.Replace('\\', '/').Split('/')[^1];
}
