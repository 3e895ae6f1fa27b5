using Aspire.Hosting.ApplicationModel;
using GpuDev.AppHost.LocalPostgres;

namespace Aspire.Hosting;

/// <summary>
/// A PostgreSQL server run from the machine's own binaries as an Aspire executable: the stand-in for
/// the PGMQ container image on machines with no container runtime. Its connection string has the
/// same shape as Aspire's container-based <c>PostgresServerResource</c>, so services cannot tell the two apart.
/// </summary>
public sealed class LocalPostgresServerResource(
    string name,
    string command,
    string workingDirectory,
    ParameterResource password,
    PostgresDataDirectory dataDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    private readonly Dictionary<string, string> _databases = new(StringComparer.OrdinalIgnoreCase);

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    public PostgresDataDirectory DataDirectory { get; } = dataDirectory;

    /// <summary>Resource name to database name of every database declared on this server.</summary>
    public IReadOnlyDictionary<string, string> Databases => _databases;

    // IPV4Host resolves to 127.0.0.1: the server listens there only, so clients skip a refused ::1 attempt.
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.IPV4Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={PostgresDataDirectory.SuperUser};Password={PasswordParameter}");

    internal void AddDatabase(string resourceName, string databaseName) => _databases.TryAdd(resourceName, databaseName);
}
