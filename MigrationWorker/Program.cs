using GpuDev.MigrationWorker.Cli;
using GpuDev.MigrationWorker.Execution;
using GpuDev.MigrationWorker.Hosting;

// The gpudev migration worker: the local (and production-ready) counterpart of production's
// db-migration Job. Parse the command line -> build a host with ServiceDefaults (OpenTelemetry) and
// the gpudev data source -> run one mode (migrate, --plan, --verify, --wait-for-hash) -> exit code.
return await MigrationCommandLine.InvokeAsync(args, async (invocation, cancellationToken) =>
{
    // The host gets no raw args: System.CommandLine owns them and hands over configuration values.
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration.AddInMemoryCollection(invocation.ConfigurationOverrides);
    try
    {
        builder.AddMigrationWorker();
    }
    catch (MigrationException ex)
    {
        await Console.Error.WriteLineAsync($"error: {ex.Message}");
        return ex.ExitCode;
    }

    using var host = builder.Build();
    await host.StartAsync(cancellationToken);
    var exitCode = await host.RunWorkerAsync(invocation, cancellationToken);
    await TelemetryShutdown.SideBySideAsync(host.Services);
    await host.StopAsync(CancellationToken.None);
    return exitCode;
});
