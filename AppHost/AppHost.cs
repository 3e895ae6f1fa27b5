using Microsoft.Extensions.Configuration;

// The GPU Dev control plane on a laptop, in production's order:
// PostgreSQL with PGMQ -> migration worker (schema, then fixtures; exits) -> API and reservation processor.
var builder = DistributedApplication.CreateBuilder(args);

// Services stop within a second or two of the AppHost instead of waiting 10 s on a dashboard that has gone.
builder.WithShortOtlpExportTimeout(TimeSpan.FromSeconds(1));

var gpudev = builder.AddGpuDevDatabase();

// The local stand-in for production's AWS login: admin endpoints require this token (X-Admin-Token).
var adminToken = builder.AddParameter("admin-token", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

var migrations = builder.AddProject<Projects.MigrationWorker>("migration-worker")
    .WithReference(gpudev)
    .WaitFor(gpudev)
    .WithMigrationFiles();

builder.AddProject<Projects.Api>("api")
    .WithReference(gpudev)
    .WaitFor(gpudev)
    .WaitForCompletion(migrations)
    .WithEnvironment("Admin__Token", adminToken)
    .WithHttpHealthCheck("/health");

// Consumes the queues and runs reservations through a simulated cluster (no machines behind it).
// `--ReservationProcessor:Enabled false` leaves the API's messages on the queues, to look at them.
if (builder.Configuration.GetValue("ReservationProcessor:Enabled", true))
{
    builder.AddProject<Projects.ReservationProcessor>("reservation-processor")
        .WithReference(gpudev)
        .WaitFor(gpudev)
        .WaitForCompletion(migrations);
}

// `--operation publish --step publish-kubernetes`: Kubernetes YAML from this model (AppHost/Publishing/README.md).
builder.AddKubernetesPublishing();

// Disposed on the way out, even when a SIGTERM cancels the start: disposal stops the local PostgreSQL server.
await using var app = builder.Build();
await app.RunAsync();
