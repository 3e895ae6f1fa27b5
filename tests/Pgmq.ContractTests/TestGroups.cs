namespace GpuDev.Pgmq.ContractTests;

/// <summary>One PostgreSQL server for all contract tests (see <see cref="ContractServerFixture"/>); each test gets its own database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresServerGroup : ICollectionFixture<ContractServerFixture>
{
    public const string Name = "PostgreSQL server";
}
