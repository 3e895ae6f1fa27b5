// The GPU Dev reservation processor: consumes gpu_reservations and disk_operations (PGMQ) and runs each
// reservation through a simulated cluster that stands in for production's Kubernetes nodes.
// Settings (appsettings.json) are read beside the program, wherever it is started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults();
builder.AddReservationProcessor();

using var host = builder.Build();
await host.RunAsync();
