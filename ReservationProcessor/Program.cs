// The GPU Dev reservation processor: consumes gpu_reservations and disk_operations (PGMQ) and runs each
// reservation through a simulated cluster that stands in for production's Kubernetes nodes.
// Settings (appsettings.json) are read beside the program, wherever it is started from.
// Background work: the API's start and requests get the CPU first (Hosting/BackgroundPriority.cs).
GpuDev.ReservationProcessor.Hosting.BackgroundPriority.Apply();
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });

// Telemetry only: the rest of ServiceDefaults (the health checks behind /health and /alive) serves services
// that take requests, and the processor serves no HTTP.
builder.ConfigureOpenTelemetry();
builder.AddReservationProcessor();

using var host = builder.Build();
await host.RunAsync();
