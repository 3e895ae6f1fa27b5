using GpuDev.Database;

// The GPU Dev control plane on a laptop, in production's order:
// PostgreSQL with PGMQ -> migration worker (schema, then fixtures; exits) -> API.
var builder = DistributedApplication.CreateBuilder(args);

// Services stop within a second or two of the AppHost instead of waiting 10 s on a dashboard that has gone.
builder.WithShortOtlpExportTimeout(TimeSpan.FromSeconds(1));

var gpudev = builder.AddGpuDevDatabase();

// The local stand-in for production's AWS login: admin endpoints require this token (X-Admin-Token).
var adminToken = builder.AddParameter("admin-token", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

var migrations = builder.AddProject<Projects.MigrationWorker>("migration-worker")
    .WithReference(gpudev)
    .WaitFor(gpudev)
    .WithMigrationFiles()
    .PublishAsKubernetesMigrationJob(MigrationWorkerBuilderExtensions.DatabaseDirectory);

builder.AddProject<Projects.Api>("api")
    .WithReference(gpudev)
    .WaitFor(gpudev)
    .WaitForCompletion(migrations)
    .WithEnvironment(SettingNames.AdminToken, adminToken)
    .WithHttpHealthCheck("/health")
    .PublishAsKubernetesDeployment(containerPort: 8080, gatedOn: migrations, receivesAdminToken: true);

// `--operation publish --step publish-kubernetes`: Kubernetes YAML from this model (GpuDev.Hosting.Kubernetes/README.md).
builder.AddKubernetesPublishing();

// Disposed on the way out, even when a SIGTERM cancels the start: disposal stops the local PostgreSQL server.
await using var app = builder.Build();
await app.RunAsync();
