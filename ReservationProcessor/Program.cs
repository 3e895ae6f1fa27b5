// The GPU Dev reservation processor: consumes gpu_reservations and disk_operations (PGMQ) and runs each
// reservation through a simulated cluster that stands in for production's Kubernetes nodes.
var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddReservationProcessor();

using var host = builder.Build();
await host.RunAsync();
