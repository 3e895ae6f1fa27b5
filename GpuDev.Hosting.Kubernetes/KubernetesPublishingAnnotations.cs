namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// The project is published as the migration Job (<c>db-migration-&lt;hash&gt;</c>) that applies the SQL
/// in <paramref name="DatabaseDirectory"/> (the folder holding <c>schema/</c> and <c>fixtures/</c>).
/// </summary>
public sealed record KubernetesMigrationJobAnnotation(string DatabaseDirectory) : IResourceAnnotation;

/// <summary>
/// The project is published as a Deployment.
/// </summary>
/// <param name="ContainerPort">The HTTP port it serves on (a Service, readiness <c>/health</c> and liveness <c>/alive</c>); null for a worker that serves nothing.</param>
/// <param name="GatedOn">The migration Job whose run must be in the journal before a pod starts (an init container waits for its hash); null for no gate.</param>
/// <param name="ReceivesAdminToken">The pod gets <c>Admin__Token</c> from the <c>api-admin-token</c> Secret.</param>
/// <param name="Name">The Deployment's (and Service's) name when it is not the resource's, e.g. production's <c>api-service</c>.</param>
public sealed record KubernetesDeploymentAnnotation(int? ContainerPort, ProjectResource? GatedOn, bool ReceivesAdminToken, string? Name = null) : IResourceAnnotation;
