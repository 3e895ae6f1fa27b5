using System.Security.Cryptography;
using System.Text;

namespace GpuDev.MigrationWorker.Planning;

/// <summary>
/// The migration hash: production's job-name scheme (first 8 hex characters of md5 over the
/// concatenated lowercase md5 hex digests of the files in sorted order), but over schema AND fixture
/// files, so that a fixture-only edit also yields a new hash.
/// </summary>
/// <remarks>
/// Self-contained and BCL-only on purpose: the AppHost's Kubernetes publisher compiles this same file
/// in (Compile Include Link) to name the migration Job, so both sides always agree.
/// </remarks>
public static class MigrationHash
{
    public const string SchemaDirectoryName = "schema";
    public const string FixturesDirectoryName = "fixtures";
    public const string FilePattern = "*.sql";

    /// <summary>
    /// The hash of <paramref name="databaseDirectory"/> (the folder holding <c>schema/</c> and
    /// <c>fixtures/</c>): its <c>*.sql</c> files, schema files first, then fixtures, each group in
    /// ordinal file-name order. A missing <c>fixtures/</c> counts as empty.
    /// </summary>
    public static string Compute(string databaseDirectory)
    {
        var files = new List<(string RelativeName, byte[] Content)>();
        foreach (var kind in new[] { SchemaDirectoryName, FixturesDirectoryName })
        {
            var directory = Path.Combine(databaseDirectory, kind);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var path in Directory.GetFiles(directory, FilePattern))
            {
                files.Add((kind + "/" + Path.GetFileName(path), File.ReadAllBytes(path)));
            }
        }

        return ComputeFromContents(files);
    }

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
            SchemaDirectoryName => 0,
            FixturesDirectoryName => 1,
            _ => 2,
        };

    private static string FileName(string relativeName) => relativeName.Replace('\\', '/').Split('/')[^1];
}
