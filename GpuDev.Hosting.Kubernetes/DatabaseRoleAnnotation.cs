using Aspire.Hosting.ApplicationModel;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// Marks a connection-string resource as <paramref name="Database"/> reached as the role <paramref name="Role"/>
/// (<c>GpuDev.Database.DatabaseRoles</c>). A project referencing it references the database, with that role's
/// credentials; publishing gives the same role's credentials to the project's pods.
/// </summary>
public sealed record DatabaseRoleAnnotation(IResource Database, string Role) : IResourceAnnotation;
