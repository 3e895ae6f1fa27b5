using GpuDev.MigrationWorker;

// Applies database/schema then database/fixtures to the gpudev database, then exits:
// the local counterpart of production's db-migration Job.
var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("gpudev");
builder.Services.Configure<MigrationOptions>(builder.Configuration.GetSection(MigrationOptions.SectionName));
builder.Services.AddSingleton<MigrationRunner>();

using var host = builder.Build();
await host.StartAsync();
var exitCode = await host.Services.GetRequiredService<MigrationRunner>().RunAsync(CancellationToken.None);
await host.StopAsync();
return exitCode;
