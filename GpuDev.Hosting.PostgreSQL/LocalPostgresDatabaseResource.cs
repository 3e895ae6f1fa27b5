using System.Data.Common;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>A database on a <see cref="LocalPostgresServerResource"/>, created when the server is ready.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public LocalPostgresServerResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression
    {
        get
        {
            var database = new DbConnectionStringBuilder { ["Database"] = DatabaseName };
            return ReferenceExpression.Create($"{Parent};{database.ConnectionString}");
        }
    }
}
