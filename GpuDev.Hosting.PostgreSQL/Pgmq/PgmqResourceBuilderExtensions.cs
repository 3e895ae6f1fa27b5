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
}
