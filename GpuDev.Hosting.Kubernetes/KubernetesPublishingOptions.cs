namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// The AppHost's <c>Kubernetes</c> configuration section, read by the <c>publish-kubernetes</c> step.
/// Every value can be given on the command line (<c>--Kubernetes:Namespace my-ns</c>) or from the
/// environment (<c>Kubernetes__PostgresPassword=...</c>, which keeps a password out of shell history).
/// </summary>
public sealed class KubernetesPublishingOptions
{
    public const string SectionName = "Kubernetes";

    /// <summary>Production's namespace.</summary>
    public string Namespace { get; set; } = "gpu-controlplane";

    /// <summary>
    /// The registry the images were pushed to (<c>registry.example.com</c> or <c>host:5000</c>), the same value as
    /// <c>dotnet publish -t:PublishContainer -p:ContainerRegistry=…</c>. Without it the YAML names the images
    /// without a registry and publishing warns that they must be pushed.
    /// </summary>
    public string? Registry { get; set; }

    /// <summary>The tag of every project's image, the same value as <c>-p:ContainerImageTag=…</c>; default each project's own <c>ContainerImageTag</c>.</summary>
    public string? ImageTag { get; set; }

    /// <summary>The migration worker's whole image reference, overriding <see cref="Registry"/> and <see cref="ImageTag"/> (short for <c>Images:migration-worker</c>).</summary>
    public string? WorkerImage { get; set; }

    /// <summary>The API's whole image reference (short for <c>Images:api</c>).</summary>
    public string? ApiImage { get; set; }

    /// <summary>Whole image references by resource name: <c>--Kubernetes:Images:reservation-processor registry/processor:1.0</c>.</summary>
    public Dictionary<string, string> Images { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The PostgreSQL password written into the <c>postgres-credentials</c> Secret. When absent, publishing keeps
    /// the one an earlier publish wrote into the same output directory, or generates a strong one.
    /// </summary>
    public string? PostgresPassword { get; set; }

    /// <summary>
    /// The password of the owner role the migration worker connects as (<c>gpudev_owner</c>), written into the
    /// <c>postgres-roles</c> Secret. When absent it is left empty and the migration Job's bootstrap fails naming it.
    /// </summary>
    public string? PostgresOwnerPassword { get; set; }

    /// <summary>The password of the runtime role the API and the processor connect as (<c>gpudev_runtime</c>); as <see cref="PostgresOwnerPassword"/>.</summary>
    public string? PostgresRuntimePassword { get; set; }

    /// <summary>
    /// The API's admin token (<c>X-Admin-Token</c>), written into the <c>api-admin-token</c> Secret; set it
    /// with <c>--Kubernetes:AdminToken</c> or <c>Kubernetes__AdminToken</c>. When absent the Secret's
    /// ADMIN_TOKEN is left empty, which the API treats as "no admin token configured" and answers every
    /// admin request with 401, so a forgotten token locks the admin endpoints instead of becoming a known one.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>Seconds the API's init container waits for the migration before failing (Kubernetes then retries it).</summary>
    public int MigrationWaitTimeoutSeconds { get; set; } = 600;

    /// <summary>Seconds the migration Job's <c>wait-for-postgres</c> waits for PostgreSQL before failing with a message.</summary>
    public int PostgresWaitTimeoutSeconds { get; set; } = 300;

    /// <summary>Size of PostgreSQL's persistent volume claim.</summary>
    public string PostgresStorageSize { get; set; } = "10Gi";

    /// <summary>Storage class of PostgreSQL's volume claim; the cluster's default when absent.</summary>
    public string? PostgresStorageClass { get; set; }

    /// <summary>The directory holding <c>schema/</c> and <c>fixtures/</c>; default the one the migration Job's annotation names.</summary>
    public string? DatabaseDirectory { get; set; }
}
