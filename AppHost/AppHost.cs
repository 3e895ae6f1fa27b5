// The GPU Dev control plane on a laptop, in production's order:
// PostgreSQL with PGMQ -> migration worker (schema, then fixtures; exits) -> API.
var builder = DistributedApplication.CreateBuilder(args);

var gpudev = builder.AddGpuDevDatabase();

var migrations = builder.AddProject<Projects.MigrationWorker>("migration-worker")
    .WithReference(gpudev)
    .WaitFor(gpudev)
    .WithMigrationFiles();

builder.AddProject<Projects.Api>("api")
    .WithReference(gpudev)
    .WaitForCompletion(migrations)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
