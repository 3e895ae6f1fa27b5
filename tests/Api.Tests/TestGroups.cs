namespace GpuDev.Api.Tests;

/// <summary>One in-process API over one migrated PostgreSQL server (<see cref="ApiEnvironment"/>) shared by every API test; tests use their own users.</summary>
[CollectionDefinition(Name)]
public sealed class GpuDevEnvironmentGroup : ICollectionFixture<GpuDevEnvironmentFixture>
{
    public const string Name = "GpuDev environment";
}
