using GpuDev.Hosting.PostgreSQL.Pgmq;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GpuDev.Pgmq.ContractTests;

/// <summary>
/// A database that got the compatible SQL keeps working when its server later gains the pgmq extension.
/// The server runs from a scratch copy of the PostgreSQL installation; the "extension" added to it is the
/// project's own compatible SQL packaged as <c>pgmq</c> (CREATE EXTENSION over a compatible install fails
/// the same way whatever the script). Runs on its own server, whatever <c>PGMQ_CONTRACT_CONNECTION</c> says.
/// </summary>
public sealed class ExtensionConversionTests : IAsyncLifetime
{
    private ScratchPostgresInstallation? _installation;
    private PostgresTestServer? _server;

    private ScratchPostgresInstallation Installation => _installation!;

    private PostgresTestServer Server => _server!;

    public async Task InitializeAsync()
    {
        _installation = await ScratchPostgresInstallation.CreateAsync();
        _server = await PostgresTestServer.StartAsync(_installation.BinDirectory);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _installation?.Dispose();
    }

    [Fact]
    public async Task A_compatible_install_becomes_the_extension_keeping_queues_messages_archives_ids_and_notifications()
    {
        await using var pgmq = await PgmqClient.ConnectAsync(await Server.CreateDatabaseAsync("convert"));
        Assert.Equal(PgmqSource.Compatibility, await PgmqInstaller.EnsureAsync(pgmq.Connection, allowCompatibility: true));
        await pgmq.CreateAsync("zeta");
        await pgmq.CreateAsync("jobs");
        await pgmq.ExecuteAsync("SELECT pgmq.create_unlogged('fast')");
        var ids = await pgmq.SendBatchAsync("jobs", ["""{"n": 1}""", """{"n": 2}""", """{"n": 3}"""], headers: ["""{"h": 1}"""]);
        await pgmq.ReadAsync("jobs", vt: 3600, qty: 1);
        await pgmq.ArchiveAsync("jobs", ids[1]);
        await pgmq.ExecuteAsync("SELECT pgmq.enable_notify_insert('jobs', 0)");
        var before = await SnapshotAsync(pgmq);
        var logger = new RecordingLogger();

        Installation.AddExtension("pgmq", "1.8.1", "pgmq", PgmqInstaller.CompatibilityScript);
        var source = await PgmqInstaller.EnsureAsync(pgmq.Connection, allowCompatibility: true, logger);

        Assert.Equal(PgmqSource.ConvertedToExtension, source);
        Assert.Equal("1.8.1", await pgmq.ScalarAsync<string>("SELECT extversion FROM pg_extension WHERE extname = 'pgmq'"));
        Assert.Equal(before, await SnapshotAsync(pgmq));
        Assert.Equal(ids[^1] + 1, await pgmq.SendAsync("jobs", """{"n": 4}"""));
        Assert.Equal(1, await pgmq.ScalarAsync<long>("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'pgmq.q_jobs'::regclass AND tgname = 'trigger_notify_queue_insert_listeners'"));
        Assert.Equal(0, await pgmq.ScalarAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pgmq_compat%'"));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("moved this database's queues", StringComparison.Ordinal));
        Assert.Equal(PgmqSource.Extension, await PgmqInstaller.EnsureAsync(pgmq.Connection, allowCompatibility: true));
    }

    [Fact]
    public async Task A_compatible_install_that_other_objects_depend_on_stays_unchanged_and_says_why_once()
    {
        await using var pgmq = await PgmqClient.ConnectAsync(await Server.CreateDatabaseAsync("keep"));
        await PgmqInstaller.EnsureAsync(pgmq.Connection, allowCompatibility: true);
        await pgmq.CreateAsync("jobs");
        var id = await pgmq.SendAsync("jobs", """{"n": 1}""");
        await pgmq.ExecuteAsync("CREATE VIEW public.job_count AS SELECT count(*) AS n FROM pgmq.q_jobs");
        var logger = new RecordingLogger();

        Installation.AddExtension("pgmq", "1.8.1", "pgmq", PgmqInstaller.CompatibilityScript);
        var source = await PgmqInstaller.EnsureAsync(pgmq.Connection, allowCompatibility: true, logger);

        Assert.Equal(PgmqSource.CompatibilityKept, source);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("view job_count depends on table pgmq.q_jobs", warning.Message, StringComparison.Ordinal);
        Assert.Equal(0, await pgmq.ScalarAsync<long>("SELECT count(*) FROM pg_extension WHERE extname = 'pgmq'"));
        Assert.Equal(0, await pgmq.ScalarAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pgmq_compat%'"));
        Assert.Equal(1, await pgmq.ScalarAsync<long>("SELECT n FROM public.job_count"));
        Assert.Equal(id, Assert.Single(await pgmq.ReadAsync("jobs", vt: 30, qty: 1)).MsgId);
    }

    [Fact]
    public async Task Where_the_compatible_sql_is_not_allowed_a_blocked_conversion_fails_with_the_reason_and_changes_nothing()
    {
        await using var pgmq = await PgmqClient.ConnectAsync(await Server.CreateDatabaseAsync("strict"));
        await PgmqInstaller.EnsureAsync(pgmq.Connection, allowCompatibility: true);
        await pgmq.CreateAsync("jobs");
        var id = await pgmq.SendAsync("jobs", """{"n": 1}""");
        await pgmq.ExecuteAsync("CREATE VIEW public.job_count AS SELECT count(*) AS n FROM pgmq.q_jobs");

        Installation.AddExtension("pgmq", "1.8.1", "pgmq", PgmqInstaller.CompatibilityScript);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PgmqInstaller.EnsureAsync(pgmq.Connection, allowCompatibility: false));

        Assert.Contains("job_count", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await pgmq.ScalarAsync<long>("SELECT count(*) FROM pg_extension WHERE extname = 'pgmq'"));
        Assert.Equal(id, Assert.Single(await pgmq.ReadAsync("jobs", vt: 30, qty: 1)).MsgId);
    }

    // Everything a consumer could see: queues in order with their flags and times, every message and
    // archived message with all columns.
    private static async Task<List<string>> SnapshotAsync(PgmqClient pgmq)
    {
        var rows = await pgmq.QueryAsync(
            "SELECT concat_ws('|', queue_name, is_partitioned, is_unlogged, created_at) FROM pgmq.list_queues()", r => r.GetString(0));
        foreach (var table in new[] { "q_zeta", "q_jobs", "a_jobs", "q_fast" })
        {
            rows.Add(table);
            rows.AddRange(await pgmq.QueryAsync($"SELECT row_to_json(t)::text FROM pgmq.{table} t ORDER BY msg_id", r => r.GetString(0)));
        }

        return rows;
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
