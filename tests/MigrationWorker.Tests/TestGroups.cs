namespace GpuDev.MigrationWorker.Tests;

/// <summary>One real PostgreSQL server for every test here; each test creates its own database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresServerGroup : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL server";
}
