using GpuDev.Hosting.PostgreSQL;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A PostgreSQL server run from the machine's own binaries as an Aspire executable: the stand-in for
/// the PGMQ container image on machines with no container runtime. Its connection string has the
/// same shape as Aspire's container-based <c>PostgresServerResource</c>, so services cannot tell the two apart.
/// </summary>
/// <remarks>
/// Which binaries run, and as which OS user, is resolved when the application starts (see
/// <see cref="LocalPostgresLifecycle"/>), never while the model is built; until then the command is
/// the bare name <c>postgres</c>.
/// </remarks>
public sealed class LocalPostgresServerResource(string name, ParameterResource password)
    : ExecutableResource(name, "postgres", "."), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    private readonly Dictionary<string, string> _databases = new(StringComparer.OrdinalIgnoreCase);

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>Resource name to database name of every database declared on this server.</summary>
    public IReadOnlyDictionary<string, string> Databases => _databases;

    /// <summary>The data directory once the application has started (null before).</summary>
    public PostgresDataDirectory? DataDirectory { get; internal set; }

    /// <summary>The server's command line without its port, once the application has started.</summary>
    internal IReadOnlyList<string> ServerArguments { get; set; } = [];

    // IPV4Host resolves to 127.0.0.1: the server listens there only, so clients skip a refused ::1 attempt.
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.IPV4Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={PostgresDataDirectory.SuperUser};Password={PasswordParameter}");

    internal void AddDatabase(string resourceName, string databaseName) => _databases.TryAdd(resourceName, databaseName);
}
