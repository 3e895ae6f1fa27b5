using System.Security.Cryptography;
using GpuDev.Database.Migrations;
using GpuDev.MigrationWorker.Validation;

namespace GpuDev.MigrationWorker.Planning;

/// <summary>Schema files change the structure and are applied once per content; fixtures are upserts applied every run.</summary>
public enum MigrationKind
{
    Schema,
    Fixture,
}

/// <summary>One SQL file, read once and validated: everything the planner and the executor need.</summary>
public sealed class MigrationFile
{
    /// <summary>A first line with exactly this comment runs the file outside a transaction.</summary>
    public const string NoTransactionMarker = "-- migrate:no-transaction";

    public MigrationFile(MigrationKind kind, string path, byte[] content, SqlScript script)
    {
        Kind = kind;
        Name = System.IO.Path.GetFileName(path);
        Content = content;
        Script = script;
        Checksum = Convert.ToHexStringLower(SHA256.HashData(content));
        var firstLine = script.LineText(1).Trim();
        NoTransaction = string.Equals(firstLine, NoTransactionMarker, StringComparison.OrdinalIgnoreCase);
    }

    public MigrationKind Kind { get; }

    public string Name { get; }

    public byte[] Content { get; }

    public SqlScript Script { get; }

    /// <summary>SHA-256 of the file's bytes (lowercase hex), as the journal records it.</summary>
    public string Checksum { get; }

    public bool NoTransaction { get; }

    /// <summary>The kind as stored in the journal and shown in logs.</summary>
    public string KindName => KindToName(Kind);

    /// <summary><c>schema/001_x.sql</c>: the name used by the migration hash and in messages.</summary>
    public string RelativeName => (Kind == MigrationKind.Schema ? MigrationFileSet.SchemaDirectoryName : MigrationFileSet.FixturesDirectoryName) + "/" + Name;

    public static string KindToName(MigrationKind kind) => kind == MigrationKind.Schema ? "schema" : "fixture";
}
