using Aspire.Hosting.ApplicationModel;
using GpuDev.AppHost.Pgmq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Aspire.Hosting;

public static class PgmqResourceBuilderExtensions
{
    /// <summary>
    /// Makes PGMQ available in the database once it is ready and before anything waiting for it starts
    /// (Aspire runs ready handlers before releasing <c>WaitFor</c>).
    /// </summary>
    public static IResourceBuilder<T> WithPgmq<T>(this IResourceBuilder<T> builder, bool allowCompatibility)
        where T : IResourceWithConnectionString
    {
        builder.ApplicationBuilder.Eventing.Subscribe<ResourceReadyEvent>(builder.Resource, async (@event, cancellationToken) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(builder.Resource);
            var connectionString = await builder.Resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            var source = await PgmqInstaller.EnsureAsync(connection, allowCompatibility, logger, cancellationToken);
            if (source == PgmqSource.Extension)
            {
                logger.LogInformation("PGMQ: using the server's pgmq extension");
            }
            else if (source == PgmqSource.Compatibility)
            {
                logger.LogInformation("PGMQ: the server has no pgmq extension; installed the project's PGMQ-compatible SQL into schema pgmq");
            }
        });

        return builder;
    }
}
