namespace GpuDev.MigrationWorker.Validation;

/// <summary>One SQL statement of a file: its text (without the terminating semicolon) and where it starts.</summary>
/// <param name="Offset">Where <paramref name="Text"/> starts in the file (PostgreSQL's error positions count from here).</param>
/// <param name="ContentOffset">Where the first token starts (after leading comments): the statement's line.</param>
public sealed record SqlStatement(int Offset, int ContentOffset, string Text, string FirstKeyword);

/// <summary>A psql-only backslash command (<c>\i</c>, <c>\set</c>, …) found outside any literal or comment.</summary>
public sealed record PsqlMetaCommand(int Line, string Command);

/// <summary>
/// A SQL file split into statements, with the file offsets the error messages need.
/// </summary>
/// <remarks>
/// Hand-written rather than borrowed: the worker must send statements one by one (so a failing
/// statement is known and PostgreSQL's error position maps back to a line of the file) and must find
/// psql meta-commands, which no PostgreSQL client library parses. It understands exactly the lexical
/// rules that decide where a statement ends: -- and nested /* */ comments, '…' and E'…' strings,
/// "…" identifiers and $tag$…$tag$ bodies.
/// </remarks>
public sealed class SqlScript
{
    private readonly int[] _lineStarts;

    private SqlScript(string text, List<SqlStatement> statements, List<PsqlMetaCommand> metaCommands, string? syntaxError)
    {
        Text = text;
        Statements = statements;
        MetaCommands = metaCommands;
        SyntaxError = syntaxError;
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        _lineStarts = [.. starts];
    }

    public string Text { get; }

    /// <summary>The statements with content (comment-only stretches are dropped).</summary>
    public IReadOnlyList<SqlStatement> Statements { get; }

    public IReadOnlyList<PsqlMetaCommand> MetaCommands { get; }

    /// <summary>An unterminated string, identifier, comment or dollar quote, described with its line; else null.</summary>
    public string? SyntaxError { get; }

    /// <summary>1-based line of a 0-based character offset.</summary>
    public int LineOf(int offset)
    {
        var index = Array.BinarySearch(_lineStarts, Math.Clamp(offset, 0, Math.Max(Text.Length - 1, 0)));
        return (index >= 0 ? index : ~index - 1) + 1;
    }

    /// <summary>The text of a 1-based line, without its line break.</summary>
    public string LineText(int line)
    {
        if (line < 1 || line > _lineStarts.Length)
        {
            return string.Empty;
        }

        var start = _lineStarts[line - 1];
        var end = line < _lineStarts.Length ? _lineStarts[line] : Text.Length;
        return Text[start..end].TrimEnd('\r', '\n');
    }

    public static SqlScript Parse(string text)
    {
        var statements = new List<SqlStatement>();
        var metaCommands = new List<PsqlMetaCommand>();
        var lineOf = new Func<int, int>(offset => 1 + text.AsSpan(0, offset).Count('\n'));
        var statementStart = 0;
        var hasContent = false;
        var contentStart = 0;
        string? firstKeyword = null;
        var i = 0;

        void EndStatement(int end)
        {
            if (hasContent)
            {
                statements.Add(new SqlStatement(statementStart, contentStart, text[statementStart..end], firstKeyword ?? string.Empty));
            }

            statementStart = end + 1;
            hasContent = false;
            firstKeyword = null;
        }

        while (i < text.Length)
        {
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (c == '-' && next == '-')
            {
                var end = text.IndexOf('\n', i);
                i = end < 0 ? text.Length : end + 1;
                continue;
            }

            if (c == '/' && next == '*')
            {
                var close = SkipBlockComment(text, i);
                if (close < 0)
                {
                    return Failed($"unterminated /* comment starting on line {lineOf(i)}");
                }

                i = close;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == ';')
            {
                EndStatement(i);
                i++;
                continue;
            }

            if (!hasContent)
            {
                hasContent = true;
                contentStart = i;
            }

            if (c == '\\')
            {
                var end = i + 1;
                while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '!' || text[end] == '?'))
                {
                    end++;
                }

                metaCommands.Add(new PsqlMetaCommand(lineOf(i), text[i..end]));
                i = end;
                continue;
            }

            if (c == '\'')
            {
                var escapes = i > 0 && text[i - 1] is 'E' or 'e' && (i < 2 || !IsIdentifierChar(text[i - 2]));
                var close = SkipQuoted(text, i, '\'', escapes);
                if (close < 0)
                {
                    return Failed($"unterminated string literal starting on line {lineOf(i)}");
                }

                i = close;
                continue;
            }

            if (c == '"')
            {
                var close = SkipQuoted(text, i, '"', backslashEscapes: false);
                if (close < 0)
                {
                    return Failed($"unterminated quoted identifier starting on line {lineOf(i)}");
                }

                i = close;
                continue;
            }

            if (c == '$' && (i == 0 || !IsIdentifierChar(text[i - 1])) && TryReadDollarTag(text, i, out var tag))
            {
                var close = text.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                if (close < 0)
                {
                    return Failed($"unterminated dollar-quoted string {tag} starting on line {lineOf(i)}");
                }

                i = close + tag.Length;
                continue;
            }

            if (IsIdentifierStart(c))
            {
                var end = i;
                while (end < text.Length && IsIdentifierChar(text[end]))
                {
                    end++;
                }

                firstKeyword ??= text[i..end].ToUpperInvariant();
                i = end;
                continue;
            }

            firstKeyword ??= string.Empty;
            i++;
        }

        EndStatement(text.Length);
        return new SqlScript(text, statements, metaCommands, null);

        SqlScript Failed(string error) => new(text, statements, metaCommands, error);
    }

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '$';

    /// <summary>Index just past the comment (PostgreSQL block comments nest), or -1.</summary>
    private static int SkipBlockComment(string text, int start)
    {
        var depth = 0;
        var i = start;
        while (i < text.Length - 1)
        {
            if (text[i] == '/' && text[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (text[i] == '*' && text[i + 1] == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }

        return -1;
    }

    /// <summary>Index just past the closing quote (a doubled quote is an escaped one), or -1.</summary>
    private static int SkipQuoted(string text, int start, char quote, bool backslashEscapes)
    {
        var i = start + 1;
        while (i < text.Length)
        {
            if (backslashEscapes && text[i] == '\\')
            {
                i += 2;
                continue;
            }

            if (text[i] == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return -1;
    }

    /// <summary>Reads <c>$$</c> or <c>$tag$</c> at <paramref name="start"/> (not <c>$1</c>, a parameter).</summary>
    private static bool TryReadDollarTag(string text, int start, out string tag)
    {
        tag = string.Empty;
        var i = start + 1;
        if (i < text.Length && text[i] != '$' && !IsIdentifierStart(text[i]))
        {
            return false;
        }

        while (i < text.Length && text[i] != '$')
        {
            if (!char.IsLetterOrDigit(text[i]) && text[i] != '_')
            {
                return false;
            }

            i++;
        }

        if (i >= text.Length)
        {
            return false;
        }

        tag = text[start..(i + 1)];
        return true;
    }
}
