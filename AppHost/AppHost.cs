using GpuDev.Database;
using GpuDev.Hosting.PostgreSQL;
using Microsoft.Extensions.Configuration;

// The GPU Dev control plane on a laptop, in production's order:
// PostgreSQL with PGMQ -> migration worker (schema, then fixtures; exits) -> API and reservation processor.
// `-- --install-postgres` only fetches and prints local mode's PostgreSQL binaries (CI runs it before its tests).
if (await PostgresInstallCommand.TryRunAsync(args))
{
    return;
}

var builder = DistributedApplication.CreateBuilder(args);

// Services stop within a second or two of the AppHost instead of waiting 10 s on a dashboard that has gone.
builder.WithShortOtlpExportTimeout(TimeSpan.FromSeconds(1));

// Services start as their built programs, without `dotnet run`'s MSBuild pass in front of each (AppHost/Launch).
builder.LaunchBuiltProjectsDirectly();
// The `http` profile needs no development certificate, so the dashboard shows no banner about one (AppHost/Dashboard).
builder.WithoutTlsInPlainHttpProfile();

// The AppHost owns the server: it bootstraps the roles, and no project connects as the superuser.
var gpudev = builder.AddGpuDevDatabase().WithGpuDevRoles();

// The local stand-in for production's AWS login: admin endpoints require this token (X-Admin-Token).
var adminToken = builder.AddParameter("admin-token", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

var migrations = builder.AddProject<Projects.MigrationWorker>("migration-worker")
    .WithDatabaseRole(gpudev, DatabaseRoles.Owner)
    .WaitFor(gpudev)
    .WithMigrationFiles()
    .PublishAsKubernetesMigrationJob(MigrationWorkerBuilderExtensions.DatabaseDirectory);

// The API listens on http://localhost:8000 (its launch profile), the URL production's CLI uses for `local`.
var api = builder.AddProject<Projects.Api>("api")
    .WithDatabaseRole(gpudev, DatabaseRoles.Runtime)
    .WaitFor(gpudev)
    .WaitForCompletion(migrations)
    .WithEnvironment(SettingNames.AdminToken, adminToken)
    .WithHttpHealthCheck("/health")
    .WithoutHttpsWhenPublished()
    .PublishAsKubernetesDeployment(containerPort: 8000, gatedOn: migrations, receivesAdminToken: true, name: "api-service");

// A second stack, or anything else on the CLI's port, would otherwise surface as a proxy error deep in the logs.
if (builder.ExecutionContext.IsRunMode && api.HttpPortTakenByAnotherProcess(builder.Configuration) is { } takenPort)
{
    Console.Error.WriteLine($"Port {takenPort} (the API's, production CLI's local URL) is already in use: stop the process listening on it (`ss -ltnp 'sport = :{takenPort}'`), or start with --DcpPublisher:RandomizePorts=true to give the API a random port.");
    Environment.ExitCode = 1;
    return;
}

// Production's local sign-in: aws-login issues keys for this one user without AWS. Run mode only, so
// publishing never emits it; `--LOCAL_DEV_USER ""` turns it off.
if (builder.ExecutionContext.IsRunMode)
{
    api.WithEnvironment("LOCAL_DEV_USER", builder.Configuration["LOCAL_DEV_USER"] ?? "localdev");
}

// Dashboard commands and links that save a developer a terminal (AppHost/Commands, AppHost/Api).
gpudev.WithResetDatabaseCommand(migrations);
migrations.WithRerunMigrationsCommand();
api.WithApiReferenceUrl();

// Consumes the queues and runs reservations through a simulated cluster (no machines behind it).
// `--ReservationProcessor:Enabled false` leaves the API's messages on the queues, to look at them.
if (builder.Configuration.GetValue("ReservationProcessor:Enabled", true))
{
    builder.AddProject<Projects.ReservationProcessor>("reservation-processor")
        .WithDatabaseRole(gpudev, DatabaseRoles.Runtime)
        .WaitFor(gpudev)
        .WaitForCompletion(migrations)
        .PublishAsKubernetesDeployment(gatedOn: migrations);
}

// `--operation publish --step publish-kubernetes`: Kubernetes YAML from this model (GpuDev.Hosting.Kubernetes/README.md).
builder.AddKubernetesPublishing();

// Disposed on the way out, even when a SIGTERM cancels the start: disposal stops the local PostgreSQL server.
await using var app = builder.Build();
await app.RunAsync();
