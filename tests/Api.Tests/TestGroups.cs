namespace GpuDev.Api.Tests;

/// <summary>One running stack (real AppHost, local PostgreSQL) shared by every API test; tests use their own users.</summary>
[CollectionDefinition(Name)]
public sealed class GpuDevEnvironmentGroup : ICollectionFixture<GpuDevEnvironmentFixture>
{
    public const string Name = "GpuDev environment";
}
