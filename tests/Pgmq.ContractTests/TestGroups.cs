namespace GpuDev.Pgmq.ContractTests;

/// <summary>One throw-away PostgreSQL server for all contract tests; each test gets its own database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresServerGroup : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL server";
}
