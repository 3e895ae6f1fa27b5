namespace GpuDev.Integration.Tests;

[CollectionDefinition(Name)]
public sealed class GpuDevEnvironmentGroup : ICollectionFixture<StackFixture>
{
    public const string Name = "GpuDev environment";
}

[CollectionDefinition(Name)]
public sealed class PostgresServerGroup : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL server";
}

/// <summary>Tests that start their own environment run one at a time: each one is a whole stack on two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OwnEnvironmentGroup
{
    public const string Name = "Own environment";
}
