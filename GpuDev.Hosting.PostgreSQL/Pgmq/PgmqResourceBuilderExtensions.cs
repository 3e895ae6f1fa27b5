using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

public static class PgmqResourceBuilderExtensions
{
    /// <summary>
    /// Makes PGMQ available in the database once it is ready and before anything waiting for it starts
    /// (Aspire runs ready handlers before releasing <c>WaitFor</c>): the server's <c>pgmq</c> extension,
    /// or, when <paramref name="allowCompatibility"/>, the project's PGMQ-compatible SQL.
    /// </summary>
    public static IResourceBuilder<T> WithPgmq<T>(this IResourceBuilder<T> builder, bool allowCompatibility)
        where T : IResourceWithConnectionString
    {
        ArgumentNullException.ThrowIfNull(builder);
        LocalPostgresBuilderExtensions.AddLifecycle(builder.ApplicationBuilder.Services);
        return builder.WithAnnotation(new PgmqAnnotation(allowCompatibility), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>
    /// Runs <paramref name="script"/> in the database as the server's superuser once the database is ready
    /// (after <see cref="WithPgmq"/>'s install) and before anything waiting for it starts, at every start:
    /// the script must be idempotent. <paramref name="settings"/> (setting name to parameter) are the session
    /// settings it reads, such as passwords, passed as bind parameters.
    /// </summary>
    public static IResourceBuilder<T> WithBootstrapScript<T>(this IResourceBuilder<T> builder, string script, IReadOnlyDictionary<string, ParameterResource> settings)
        where T : IResourceWithConnectionString
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(script);
        LocalPostgresBuilderExtensions.AddLifecycle(builder.ApplicationBuilder.Services);
        return builder.WithAnnotation(new PostgresBootstrapAnnotation(script, settings), ResourceAnnotationMutationBehavior.Replace);
    }
}
