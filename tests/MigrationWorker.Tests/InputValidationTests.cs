namespace GpuDev.MigrationWorker.Tests;

/// <summary>Bad input is rejected before the worker touches the database (exit 2), each with its own message.</summary>
public sealed class InputValidationTests(PostgresServerFixture fixture) : MigrationTestBase(fixture)
{
    [Fact]
    public async Task Missing_directory_is_rejected()
    {
        var result = await RunWorkerAsync("/nonexistent/gpudev-database");

        await AssertRejectedAsync(result, "The migration directory '/nonexistent/gpudev-database' does not exist. Pass --path");
    }

    [Fact]
    public async Task Missing_schema_directory_is_rejected()
    {
        using var files = DatabaseCopy.OfRepository();
        Directory.Delete(files.Schema, recursive: true);

        await AssertRejectedAsync(await RunWorkerAsync(files.Path), "schema directory", "does not exist");
    }

    [Fact]
    public async Task Empty_schema_directory_is_rejected()
    {
        using var files = DatabaseCopy.OfRepository();
        foreach (var file in Directory.GetFiles(files.Schema))
        {
            File.Delete(file);
        }

        await AssertRejectedAsync(await RunWorkerAsync(files.Path), "holds no .sql files");
    }

    [Fact]
    public async Task Dangling_link_is_refused_as_a_link()
    {
        using var files = DatabaseCopy.OfRepository();
        File.CreateSymbolicLink(Path.Combine(files.Schema, "005_gone.sql"), "/nonexistent/005_gone.sql");

        await AssertRejectedAsync(await RunWorkerAsync(files.Path), "schema/005_gone.sql is a symbolic link");
    }

    [Fact]
    public async Task Symlinked_migration_file_resolving_outside_database_is_refused_by_the_worker_naming_it()
    {
        using var files = DatabaseCopy.OfRepository();
        var outside = Path.Combine(Path.GetDirectoryName(files.Path)!, "outside.sql");
        File.WriteAllText(outside, "CREATE TABLE linked_from_outside (id int);");
        File.CreateSymbolicLink(Path.Combine(files.Schema, "005_outside.sql"), outside);

        await AssertRejectedAsync(await RunWorkerAsync(files.Path), "schema/005_outside.sql is a symbolic link", "replace the link with the file itself");
        Assert.False(await Database.TableExistsAsync(ConnectionString, "public.linked_from_outside"));
    }

    [Fact]
    public async Task Symlinked_fixtures_directory_is_refused_by_the_worker_naming_it()
    {
        using var files = DatabaseCopy.OfRepository();
        var outside = Path.Combine(Path.GetDirectoryName(files.Path)!, "elsewhere");
        Directory.Move(files.Fixtures, outside);
        Directory.CreateSymbolicLink(files.Fixtures, outside);

        await AssertRejectedAsync(await RunWorkerAsync(files.Path), "fixtures is a symbolic link");
    }

    [Theory]
    [InlineData("\\i other.sql", "\\i")]
    [InlineData("\\set ON_ERROR_STOP on", "\\set")]
    [InlineData("\\c gpudev", "\\c")]
    public async Task Psql_meta_command_is_rejected_with_file_and_line(string metaCommand, string expectedCommand)
    {
        using var files = DatabaseCopy.OfRepository();
        files.WriteSchema("005_meta.sql", $"-- uses psql\nCREATE TABLE meta_first (id int);\n{metaCommand}\n");

        await AssertRejectedAsync(await RunWorkerAsync(files.Path), $"schema/005_meta.sql:3: psql meta-command {expectedCommand} is not SQL");
        Assert.False(await Database.TableExistsAsync(ConnectionString, "public.meta_first"));
    }

    [Fact]
    public async Task Backslash_inside_literals_and_comments_is_not_a_meta_command()
    {
        using var files = DatabaseCopy.OfRepository();
        files.WriteSchema("005_backslashes.sql", """
            -- a comment with \i in it
            CREATE TABLE backslashes (v text DEFAULT E'a\\b', w text DEFAULT 'c:\dir');
            CREATE FUNCTION backslash_fn() RETURNS text AS $body$ SELECT '\set'::text $body$ LANGUAGE sql;
            """);

        var result = await RunWorkerAsync(files.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(await Database.TableExistsAsync(ConnectionString, "public.backslashes"));
    }

    [Fact]
    public async Task Transaction_control_in_a_transactional_file_is_rejected()
    {
        using var files = DatabaseCopy.OfRepository();
        files.WriteSchema("005_commit.sql", "CREATE TABLE committed_early (id int);\nCOMMIT;\n");

        await AssertRejectedAsync(await RunWorkerAsync(files.Path), "schema/005_commit.sql:2: COMMIT controls the transaction");
    }

    [Fact]
    public async Task Unterminated_dollar_quote_is_rejected()
    {
        using var files = DatabaseCopy.OfRepository();
        files.WriteSchema("005_open.sql", "CREATE TABLE fine (id int);\nDO $$ BEGIN PERFORM 1; END;\n");

        await AssertRejectedAsync(await RunWorkerAsync(files.Path), "schema/005_open.sql: unterminated dollar-quoted string $$ starting on line 2");
    }

    [Fact]
    public async Task Non_sql_files_and_shared_number_prefixes_are_warned_about_and_the_run_goes_on()
    {
        using var files = DatabaseCopy.OfRepository();
        files.WriteSchema("notes.txt", "not SQL");
        files.WriteSchema("004_more_gpu_types.sql", "CREATE TABLE more_gpu_types (id int);\n");

        var result = await RunWorkerAsync(files.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning: schema/notes.txt is ignored: only *.sql files are applied.", result.Output);
        Assert.Contains("warning: schema/: 004_gpu_types.sql and 004_more_gpu_types.sql share the number prefix 004", result.Output);
    }

    [Fact]
    public async Task Missing_connection_string_is_rejected()
    {
        var result = await WorkerProcess.RunAsync(["--path", RepositoryFiles.DatabaseDirectory]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("No connection string: pass --connection", result.Output);
    }

    [Fact]
    public async Task Conflicting_modes_are_rejected()
    {
        var result = await WorkerProcess.RunAsync(["--plan", "--verify"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--plan, --verify and --wait-for-hash are different modes", result.Output);
    }

    [Fact]
    public async Task Help_describes_every_option()
    {
        var result = await WorkerProcess.RunAsync(["--help"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var option in new[] { "--connection", "--path", "--plan", "--verify", "--strict", "--reapply-all", "--wait-for-hash", "--timeout", "--lock-timeout", "--connect-attempts" })
        {
            Assert.Contains(option, result.Output);
        }
    }

    private async Task AssertRejectedAsync(WorkerResult result, params string[] expected)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        foreach (var text in expected)
        {
            Assert.Contains(text, result.Output);
        }

        Assert.Contains("nothing was sent to the database", result.Output);
        Assert.False(await Database.JournalExistsAsync(ConnectionString));
    }
}
