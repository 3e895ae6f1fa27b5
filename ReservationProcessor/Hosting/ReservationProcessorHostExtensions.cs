using System.Diagnostics;
using Dapper;
using GpuDev.Database;
using GpuDev.ReservationProcessor;
using GpuDev.ReservationProcessor.Cluster;
using GpuDev.ReservationProcessor.Disks;
using GpuDev.ReservationProcessor.Queues;
using GpuDev.ReservationProcessor.Reservations;
using GpuDev.ReservationProcessor.Telemetry;

namespace Microsoft.Extensions.Hosting;

public static class ReservationProcessorHostExtensions
{
    /// <summary>The gpudev data source, the two queue consumers, the simulated cluster and its scheduler, telemetry.</summary>
    public static IHostApplicationBuilder AddReservationProcessor(this IHostApplicationBuilder builder)
    {
        // The processor polls its queues and ticks its cluster every second: a span for each of those commands
        // would be a root trace in the dashboard, burying the ones that matter. Commands are traced only inside
        // work that is itself traced (a message's processing, which continues the request's trace).
        // No health checks: nothing probes the processor (it serves no HTTP).
        builder.AddNpgsqlDataSource(DatabaseNames.Database, configureSettings: settings => settings.DisableHealthChecks = true, configureDataSourceBuilder: dataSource => dataSource.ConfigureTracing(tracing => tracing
            .ConfigureCommandFilter(_ => Activity.Current is not null)
            .ConfigureBatchFilter(_ => Activity.Current is not null)
            .EnablePhysicalOpenTracing(false)));
        builder.AddTelemetrySources(ProcessorTelemetry.Name);
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        builder.Services.AddOptions<QueueOptions>().BindConfiguration(QueueOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ReservationRulesOptions>().BindConfiguration(ReservationRulesOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<SimulatedClusterOptions>().BindConfiguration(SimulatedClusterOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        builder.Services.AddSingleton<ProcessorTelemetry>();
        builder.Services.AddSingleton<SimulatedCluster>();
        builder.Services.AddSingleton<ReservationMessageHandler>();
        builder.Services.AddSingleton<DiskMessageHandler>();

        // One consumer per queue (AddHostedService would keep only one registration of the same type).
        builder.Services.AddSingleton<IHostedService>(services => ActivatorUtilities.CreateInstance<QueueConsumer>(services, services.GetRequiredService<ReservationMessageHandler>()));
        builder.Services.AddSingleton<IHostedService>(services => ActivatorUtilities.CreateInstance<QueueConsumer>(services, services.GetRequiredService<DiskMessageHandler>()));
        builder.Services.AddHostedService<ClusterScheduler>();
        return builder;
    }
}
