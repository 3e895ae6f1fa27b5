using GpuDev.Database;
using GpuDev.Database.Queues;
using Npgsql;

namespace GpuDev.MigrationWorker.Tests;

/// <summary>
/// The roles of <see cref="DatabaseBootstrap"/> on a real server, as the AppHost sets them up: the bootstrap as
/// the superuser, the migration worker as <see cref="DatabaseRoles.Owner"/>, the services as <see cref="DatabaseRoles.Runtime"/>.
/// </summary>
public sealed class DatabaseRoleTests(PostgresServerFixture fixture) : MigrationTestBase(fixture)
{
    private string Owner => Server.RoleConnectionString(ConnectionString, DatabaseRoles.Owner);

    private string Runtime => Server.RoleConnectionString(ConnectionString, DatabaseRoles.Runtime);

    public override async Task InitializeAsync()
    {
        ConnectionString = await Server.CreateDatabaseAsync("roles", withPgmq: true);
        await Server.BootstrapAsync(ConnectionString);
    }

    [Theory]
    [InlineData("CREATE TABLE public.intruder (id int)")]
    [InlineData("CREATE SCHEMA intruder")]
    [InlineData("CREATE TEMPORARY TABLE intruder (id int)")]
    [InlineData("CREATE FUNCTION public.intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'")]
    [InlineData("CREATE VIEW public.intruder AS SELECT 1 AS one")]
    [InlineData("SELECT pgmq.create('intruder')")]
    [InlineData("SELECT pgmq.drop_queue('gpu_reservations')")]
    [InlineData("ALTER TABLE public.reservations ADD COLUMN intruder int")]
    [InlineData("TRUNCATE public.api_keys")]
    [InlineData("CREATE ROLE intruder")]
    public async Task Runtime_role_cannot_create_or_alter_objects(string sql)
    {
        await MigrateAsOwnerAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => Database.ExecuteAsync(Runtime, sql));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Theory]
    [InlineData("COPY public.gpu_types (name) FROM '/etc/passwd'")]
    [InlineData("SELECT pg_read_file('/etc/passwd')")]
    [InlineData("SELECT pg_read_binary_file('/etc/passwd')")]
    [InlineData("SELECT pg_ls_dir('.')")]
    [InlineData("COPY public.gpu_types (name) FROM PROGRAM 'id'")]
    [InlineData("COPY (SELECT 1) TO PROGRAM 'id'")]
    [InlineData("COPY (SELECT 1) TO '/tmp/gpudev-intruder'")]
    public async Task Runtime_role_cannot_read_server_files_or_run_programs(string sql)
    {
        await MigrateAsOwnerAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => Database.ExecuteAsync(Runtime, sql));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task Owner_role_cannot_read_server_files_or_run_programs_either()
    {
        await MigrateAsOwnerAsync();

        var copy = await Assert.ThrowsAsync<PostgresException>(() => Database.ExecuteAsync(Owner, "COPY public.gpu_types (name) FROM PROGRAM 'id'"));
        var read = await Assert.ThrowsAsync<PostgresException>(() => Database.ExecuteAsync(Owner, "SELECT pg_read_file('/etc/passwd')"));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, copy.SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, read.SqlState);
    }

    [Theory]
    [InlineData(DatabaseRoles.Owner)]
    [InlineData(DatabaseRoles.Runtime)]
    public async Task Roles_are_no_superusers_and_belong_to_no_privileged_role(string role)
    {
        await Database.ExecuteAsync(ConnectionString, $"GRANT pg_read_server_files, pg_execute_server_program TO {role}");

        // A membership granted by hand is taken back by the next bootstrap (every start).
        await Server.BootstrapAsync(ConnectionString);

        Assert.False(await Database.ScalarAsync<bool>(ConnectionString,
            "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls FROM pg_roles WHERE rolname = $1", role));
        Assert.Equal(0L, await Database.ScalarAsync<long>(ConnectionString,
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1", role));
    }

    [Fact]
    public async Task Runtime_role_reads_and_writes_the_tables_and_uses_the_queues_as_the_services_do()
    {
        await MigrateAsOwnerAsync();

        await Database.ExecuteAsync(Runtime, "INSERT INTO api_users (username) VALUES ('alice'); UPDATE api_users SET is_active = false WHERE username = 'alice'; DELETE FROM api_users WHERE username = 'alice'");
        var sent = await Database.ScalarAsync<long>(Runtime, "SELECT pgmq.send($1, '{\"action\": \"cancel\"}'::jsonb, '{}'::jsonb, 0)", QueueNames.GpuReservations);
        var read = await Database.ScalarAsync<long>(Runtime, "SELECT msg_id FROM pgmq.read_with_poll($1, 30, 1, 1, 100)", QueueNames.GpuReservations);
        Assert.True(await Database.ScalarAsync<bool>(Runtime, "SELECT pgmq.archive($1, $2)", QueueNames.GpuReservations, read));
        Assert.Equal(sent, read);
        Assert.Equal(1L, await Database.ScalarAsync<long>(Runtime, "SELECT total_messages FROM pgmq.metrics($1)", QueueNames.GpuReservations));
        Assert.Equal(QueueNames.All.Count, (int)await Database.ScalarAsync<long>(Runtime, "SELECT count(*) FROM pgmq.list_queues()"));
        Assert.True(await Database.ScalarAsync<bool>(Runtime, "SELECT EXISTS (SELECT 1 FROM gpudev_migrations.runs WHERE status = 'completed')"));
    }

    [Fact]
    public async Task A_table_a_later_migration_creates_is_usable_by_the_runtime_role()
    {
        using var directory = DatabaseCopy.OfRepository();
        File.WriteAllText(Path.Combine(directory.Schema, "900_notes.sql"), "CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text);\n");

        var result = await WorkerProcess.RunAsync(["--connection", Owner, "--path", directory.Path]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1L, await Database.ScalarAsync<long>(Runtime, "WITH added AS (INSERT INTO notes (body) VALUES ('x') RETURNING id) SELECT count(*) FROM added"));
    }

    [Fact]
    public async Task Tables_a_superuser_migrated_before_the_roles_existed_pass_to_the_owner()
    {
        // A data directory from before the roles: the worker ran as the superuser.
        var database = await Server.CreateDatabaseAsync("legacy", withPgmq: true);
        var asSuperuser = await WorkerProcess.RunAsync(["--connection", database, "--path", RepositoryFiles.DatabaseDirectory]);
        Assert.True(asSuperuser.ExitCode == 0, asSuperuser.ToString());

        await Server.BootstrapAsync(database);
        using var directory = DatabaseCopy.OfRepository();
        File.WriteAllText(Path.Combine(directory.Schema, "900_alter.sql"), "ALTER TABLE reservations ADD COLUMN IF NOT EXISTS note text;\n");
        var asOwner = await WorkerProcess.RunAsync(["--connection", Server.RoleConnectionString(database, DatabaseRoles.Owner), "--path", directory.Path]);

        Assert.True(asOwner.ExitCode == 0, asOwner.ToString());
        Assert.Equal(0L, await Database.ScalarAsync<long>(database,
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'gpudev_migrations') AND c.relkind = 'r' AND pg_get_userbyid(c.relowner) <> $1",
            DatabaseRoles.Owner));
        Assert.Equal(0L, await Database.ScalarAsync<long>(Server.RoleConnectionString(database, DatabaseRoles.Runtime), "SELECT count(*) FROM reservations WHERE note IS NOT NULL"));
    }

    [Fact]
    public async Task Runtime_role_errors_leave_request_values_out_of_the_server_log()
    {
        await MigrateAsOwnerAsync();
        var runtimeMarker = Guid.NewGuid().ToString("N");
        var superuserMarker = Guid.NewGuid().ToString("N");

        // A request value PostgreSQL refuses inside JSON: its error CONTEXT quotes the document up to the fault
        // (the last few dozen characters, hence short markers right before it).
        await Assert.ThrowsAsync<PostgresException>(() => Database.ScalarAsync<string>(Runtime, "SELECT $1::jsonb::text", JsonWithNul(runtimeMarker)));
        await Assert.ThrowsAsync<PostgresException>(() => Database.ScalarAsync<string>(ConnectionString, "SELECT $1::jsonb::text", JsonWithNul(superuserMarker)));

        // The superuser's error (logged after the runtime role's) shows what the role setting keeps out.
        await Eventually.WaitUntilAsync(() => Task.FromResult(Server.Log.Contains(superuserMarker, StringComparison.Ordinal)), TimeSpan.FromSeconds(10), () => $"the superuser's error in the server log:\n{Server.Log[Math.Max(0, Server.Log.Length - 3000)..]}");
        Assert.DoesNotContain(runtimeMarker, Server.Log, StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<PostgresException>(() => Database.ExecuteAsync(Runtime, "SET log_error_verbosity = 'verbose'"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    private static string JsonWithNul(string marker) => $$$"""{"env_vars": {"WANDB_API_KEY": "{{{marker}}}\u0000"}}""";

    private async Task MigrateAsOwnerAsync()
    {
        var result = await WorkerProcess.RunAsync(["--connection", Owner, "--path", RepositoryFiles.DatabaseDirectory]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
