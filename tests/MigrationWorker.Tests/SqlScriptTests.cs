using GpuDev.MigrationWorker.Validation;

namespace GpuDev.MigrationWorker.Tests;

public sealed class SqlScriptTests
{
    [Fact]
    public void Semicolons_inside_literals_comments_and_dollar_quotes_do_not_end_statements()
    {
        var script = SqlScript.Parse("""
            -- a; comment
            SELECT 'a;b', E'c\';d', "e;f" /* g; /* nested; */ h; */ FROM t;
            CREATE FUNCTION f() RETURNS int AS $fn$ BEGIN RETURN 1; END; $fn$ LANGUAGE plpgsql;
            SELECT $1, a$b FROM t
            """);

        Assert.Null(script.SyntaxError);
        Assert.Equal(["SELECT", "CREATE", "SELECT"], script.Statements.Select(s => s.FirstKeyword));
        Assert.Equal([2, 3, 4], script.Statements.Select(s => script.LineOf(s.ContentOffset)));
        Assert.Empty(script.MetaCommands);
    }

    [Fact]
    public void Comment_only_text_has_no_statements()
    {
        var script = SqlScript.Parse("-- nothing\n/* still nothing */\n;\n");

        Assert.Empty(script.Statements);
    }

    [Fact]
    public void Backslash_outside_literals_is_a_meta_command_with_its_line()
    {
        var script = SqlScript.Parse("SELECT 1;\n\\gset\nSELECT '\\x';\n");

        var meta = Assert.Single(script.MetaCommands);
        Assert.Equal(new PsqlMetaCommand(2, "\\gset"), meta);
    }
}
