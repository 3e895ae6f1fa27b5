using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using GpuDev.MigrationWorker.Planning;
using Npgsql;

namespace GpuDev.MigrationWorker.Execution;

/// <summary>
/// Turns a PostgreSQL error into the message a person needs: file, line within the file (from the
/// error position), SQLSTATE, message, detail/hint, and a short excerpt of the failing statement.
/// </summary>
public static partial class MigrationFailureMessage
{
    private const int ExcerptLength = 160;

    /// <param name="statementIndex">Index of the failing statement in the file; outside the file's statements when the journal row or COMMIT failed.</param>
    public static string Format(MigrationFile file, PostgresException ex, int statementIndex, string consequence)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(ex);
        var script = file.Script;
        var message = new StringBuilder();
        if (statementIndex >= 0 && statementIndex < script.Statements.Count)
        {
            var statement = script.Statements[statementIndex];
            var line = ex.Position > 0
                ? script.LineOf(statement.Offset + ex.Position - 1)
                : script.LineOf(statement.ContentOffset);
            message.Append(CultureInfo.InvariantCulture, $"{file.RelativeName}:{line}: SQLSTATE {ex.SqlState}: {ex.MessageText}");
            message.Append(CultureInfo.InvariantCulture, $"\n  line {line}: {script.LineText(line).Trim()}");
            message.Append(CultureInfo.InvariantCulture, $"\n  statement {statementIndex + 1} (from line {script.LineOf(statement.ContentOffset)}): {Excerpt(statement.Text)}");
        }
        else
        {
            message.Append(CultureInfo.InvariantCulture, $"{file.RelativeName}: SQLSTATE {ex.SqlState}: {ex.MessageText} (when committing the file)");
        }

        if (!string.IsNullOrEmpty(ex.Detail))
        {
            message.Append(CultureInfo.InvariantCulture, $"\n  detail: {ex.Detail}");
        }

        if (!string.IsNullOrEmpty(ex.Where))
        {
            message.Append(CultureInfo.InvariantCulture, $"\n  where: {ex.Where}");
        }

        var hint = ex.SqlState == PostgresErrorCodes.ActiveSqlTransaction
            ? $"this statement cannot run inside a transaction: make '{MigrationFile.NoTransactionMarker}' the file's first line (and keep the file idempotent)."
            : ex.Hint;
        if (!string.IsNullOrEmpty(hint))
        {
            message.Append(CultureInfo.InvariantCulture, $"\n  hint: {hint}");
        }

        message.Append(CultureInfo.InvariantCulture, $"\n  {consequence}");
        return message.ToString();
    }

    private static string Excerpt(string statement)
    {
        var collapsed = Whitespace().Replace(StripLeadingComments(statement), " ").Trim();
        return collapsed.Length <= ExcerptLength ? collapsed : collapsed[..ExcerptLength] + " …";
    }

    private static string StripLeadingComments(string statement)
    {
        var lines = statement.Split('\n');
        return string.Join('\n', lines.SkipWhile(l => l.Trim().Length == 0 || l.TrimStart().StartsWith("--", StringComparison.Ordinal)));
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
