namespace GpuDev.MigrationWorker.Tests;

/// <summary>Gives each test a fresh database on the shared server and a way to run the worker against it.</summary>
[Collection(PostgresServerGroup.Name)]
public abstract class MigrationTestBase(PostgresServerFixture fixture) : IAsyncLifetime
{
    protected PostgresTestServer Server => fixture.Server;

    /// <summary>A fresh, empty database of this test.</summary>
    protected string ConnectionString { get; set; } = string.Empty;

    public virtual async Task InitializeAsync() => ConnectionString = await Server.CreateDatabaseAsync("migrations");

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Runs the worker against this test's database; <paramref name="path"/> defaults to the repository's database/.</summary>
    protected Task<WorkerResult> RunWorkerAsync(string? path = null, params string[] args) =>
        WorkerProcess.RunAsync(["--connection", ConnectionString, "--path", path ?? RepositoryFiles.DatabaseDirectory, .. args]);

    protected WorkerProcess StartWorker(string? path = null, params string[] args) =>
        WorkerProcess.Start(["--connection", ConnectionString, "--path", path ?? RepositoryFiles.DatabaseDirectory, .. args]);
}
