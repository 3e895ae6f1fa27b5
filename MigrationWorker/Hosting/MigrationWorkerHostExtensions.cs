using GpuDev.MigrationWorker;
using GpuDev.MigrationWorker.Cli;
using GpuDev.MigrationWorker.Commands;
using GpuDev.MigrationWorker.Execution;
using GpuDev.MigrationWorker.Hosting;
using GpuDev.MigrationWorker.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Microsoft.Extensions.Hosting;

public static class MigrationWorkerHostExtensions
{
    private const string ApplicationName = "gpudev-migration-worker";

    /// <summary>Everything the worker needs: plain console output, telemetry, the gpudev data source, the commands.</summary>
    public static HostApplicationBuilder AddMigrationWorker(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console =>
        {
            console.FormatterName = PlainConsoleFormatter.Name;
            console.LogToStandardErrorThreshold = LogLevel.Error;
        });
        builder.Logging.AddConsoleFormatter<PlainConsoleFormatter, ConsoleFormatterOptions>();
        // Npgsql logs every command at Information, and the host its lifetime: noise next to the migration log.
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        // Telemetry only: the rest of ServiceDefaults (the health checks behind /health and /alive) serves services
        // that take requests, and the worker, which runs for under a second, takes none.
        builder.ConfigureOpenTelemetry();
        builder.AddTelemetrySources(MigrationTelemetry.SourceName);
        builder.Services.Configure<MigrationOptions>(builder.Configuration.GetSection(MigrationOptions.SectionName));

        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(MigrationOptions.ConnectionName)))
        {
            throw new MigrationException(
                ExitCodes.InvalidInput,
                $"No connection string: pass --connection \"Host=…;Database=gpudev;Username=…;Password=…\" or set ConnectionStrings__{MigrationOptions.ConnectionName}. " +
                "Under Aspire the AppHost sets it.");
        }

        builder.AddNpgsqlDataSource(
            MigrationOptions.ConnectionName,
            // Nothing probes a worker that exits when done.
            configureSettings: settings => settings.DisableHealthChecks = true,
            configureDataSourceBuilder: dataSource =>
            {
                dataSource.ConnectionStringBuilder.ApplicationName ??= ApplicationName;
                // Tells which statement of a file's batch failed, for the file and line in the error.
                dataSource.ConnectionStringBuilder.IncludeFailedBatchedCommand = true;
            });

        builder.Services.AddSingleton<MigrationTelemetry>();
        builder.Services.AddSingleton<DatabaseConnector>();
        builder.Services.AddSingleton<MigrateCommand>();
        builder.Services.AddSingleton<PlanCommand>();
        builder.Services.AddSingleton<VerifyCommand>();
        builder.Services.AddSingleton<WaitForHashCommand>();
        return builder;
    }

    /// <summary>Runs the mode the command line asked for; a <see cref="MigrationException"/> becomes its message and exit code.</summary>
    public static async Task<int> RunWorkerAsync(this IHost host, WorkerInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(invocation);
        var services = host.Services;
        try
        {
            return invocation.Mode switch
            {
                WorkerMode.Plan => await services.GetRequiredService<PlanCommand>().RunAsync(cancellationToken),
                WorkerMode.Verify => await services.GetRequiredService<VerifyCommand>().RunAsync(cancellationToken),
                WorkerMode.WaitForHash => await services.GetRequiredService<WaitForHashCommand>().RunAsync(
                    invocation.WaitHash!, invocation.WaitTimeout ?? MigrationCommandLine.DefaultWaitTimeout, cancellationToken),
                _ => await services.GetRequiredService<MigrateCommand>().RunAsync(cancellationToken),
            };
        }
        catch (MigrationException ex)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger("GpuDev.MigrationWorker").LogError("Migration failed: {Error}", ex.Message);
            return ex.ExitCode;
        }
    }
}
