using System.Security.Cryptography;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GpuDev.Tests.Support;

/// <summary>
/// The real AppHost, started through <see cref="DistributedApplicationTestingBuilder"/> with data of its
/// own: PostgreSQL, the migration worker and the API, in production's order, exactly as
/// <c>dotnet run --project AppHost</c> runs them. PostgreSQL runs in local mode (a data directory), or
/// with <c>GPUDEV_TEST_POSTGRES_MODE=container</c> in container mode (a data volume per data directory,
/// never the volume of a developer's <c>dotnet run</c>; see eng/container-test-image).
/// </summary>
public sealed class GpuDevEnvironment : IAsyncDisposable
{
    public const string ApiResource = "api";
    public const string WorkerResource = "migration-worker";
    public const string DatabaseResource = "gpudev";
    public const string ServerResource = "postgres";
    public const string ProcessorResource = "reservation-processor";

    /// <summary>The environment variable that switches the tests to container mode (<c>container</c>).</summary>
    public const string ModeVariable = "GPUDEV_TEST_POSTGRES_MODE";

    /// <summary>
    /// The environment variable that makes the <c>api</c> resource run a published program (for example the Native
    /// AOT build <c>dotnet publish Api</c> writes) instead of the build the AppHost runs for development.
    /// </summary>
    public const string ApiProgramVariable = "GPUDEV_TEST_API_PROGRAM";

    private readonly bool _ownsDataDirectory;

    private GpuDevEnvironment(DistributedApplication app, string dataDirectory, bool ownsDataDirectory, string adminToken)
    {
        App = app;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        AdminToken = adminToken;
    }

    public DistributedApplication App { get; }

    /// <summary>
    /// The local server's data directory (PGDATA). In container mode it names the stack's data volume
    /// (<see cref="VolumeFor"/>) and stays empty.
    /// </summary>
    public string DataDirectory { get; }

    /// <summary>The tests run PostgreSQL in container mode (<see cref="ModeVariable"/>), else in local mode.</summary>
    public static bool ContainerMode { get; } =
        string.Equals(System.Environment.GetEnvironmentVariable(ModeVariable), "container", StringComparison.OrdinalIgnoreCase);

    /// <summary>What the server resource shows as <c>gpudev.postgres.mode</c> in this run.</summary>
    public static string ModeName => ContainerMode ? "container" : "local";

    /// <summary>The published API program the tests run (<see cref="ApiProgramVariable"/>), or null for the development build.</summary>
    public static string? ApiProgram { get; } =
        System.Environment.GetEnvironmentVariable(ApiProgramVariable) is { Length: > 0 } program ? Path.GetFullPath(program) : null;

    /// <summary>The admin token the AppHost hands the API (parameter <c>admin-token</c>).</summary>
    public string AdminToken { get; }

    public static TimeSpan StartTimeout { get; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Starts the stack. With <paramref name="dataDirectory"/> null a fresh directory is created and
    /// deleted on dispose; pass one to reuse data across starts. <paramref name="configure"/> can change
    /// the model before it is built (for example to remove the migration worker); <paramref name="extraArguments"/>
    /// are AppHost command-line arguments added after the defaults (later ones win).
    /// <paramref name="likeDotnetRun"/> (container mode) leaves data and password to the AppHost, as
    /// <c>dotnet run</c> does: the developer's volume and the password in the AppHost's user secrets.
    /// </summary>
    public static async Task<GpuDevEnvironment> StartAsync(
        string? dataDirectory = null,
        string? password = null,
        Action<IDistributedApplicationTestingBuilder>? configure = null,
        bool waitForApiHealthy = true,
        IReadOnlyList<string>? extraArguments = null,
        bool likeDotnetRun = false,
        CancellationToken cancellationToken = default)
    {
        var ownsDataDirectory = dataDirectory is null;
        dataDirectory ??= Path.Combine(TestDirectories.Create("stack"), "postgres");
        password ??= NewSecret();
        var adminToken = NewSecret();

        string[] data = (ContainerMode, likeDotnetRun) switch
        {
            (true, true) => ["--Postgres:Mode=container"],
            (true, false) => ["--Postgres:Mode=container", $"--Postgres:ContainerVolume={VolumeFor(dataDirectory)}", $"--Parameters:postgres-password={password}", .. RolePasswords()],
            (false, _) => ["--Postgres:Mode=local", $"--Postgres:DataDirectory={dataDirectory}", $"--Parameters:postgres-password={password}", .. RolePasswords()],
        };
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [.. data, $"--Parameters:admin-token={adminToken}", .. extraArguments ?? []],
            cancellationToken);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("GpuDev", LogLevel.Information));
        WithoutTelemetryExport(builder);
        if (ApiProgram is not null)
        {
            RunApiAs(builder, ApiProgram);
        }

        configure?.Invoke(builder);

        var app = await builder.BuildAsync(cancellationToken);
        var environment = new GpuDevEnvironment(app, dataDirectory, ownsDataDirectory, adminToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            await app.StartAsync(timeout.Token);
            if (waitForApiHealthy)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(ApiResource, timeout.Token);
            }
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }

        return environment;
    }

    /// <summary>
    /// Runs <paramref name="program"/> (a published build of the API) for the <c>api</c> resource, with the
    /// resource's arguments and environment, in place of the build the AppHost would start (AppHost/Launch).
    /// </summary>
    private static void RunApiAs(IDistributedApplicationTestingBuilder builder, string program)
    {
        if (!File.Exists(program))
        {
            throw new FileNotFoundException($"No published API program at {program}: publish it first (dotnet publish Api -c Release -o <folder>).", program);
        }

        builder.Resources.Single(r => r.Name == ApiResource).Annotations.Add(
            new ExecutableAnnotation { Command = program, WorkingDirectory = Path.GetDirectoryName(program)! });
    }

    /// <summary>
    /// Leaves only PostgreSQL in the model (pass as <c>configure</c>): the worker, the API and the processor
    /// would wait for a database that, in the tests that use this, never becomes healthy or is not needed.
    /// </summary>
    public static void OnlyTheServer(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var waiting in builder.Resources.Where(r => r.Name is WorkerResource or ApiResource or ProcessorResource).ToList())
        {
            builder.Resources.Remove(waiting);
        }
    }

    /// <summary>
    /// The testing builder runs without a dashboard but still hands services its OTLP endpoint, where
    /// nothing listens: every export would fail (and each failure be logged). Services are told not to export.
    /// </summary>
    private static void WithoutTelemetryExport(IDistributedApplicationTestingBuilder builder) =>
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            foreach (var resource in @event.Model.Resources.OfType<IResourceWithEnvironment>())
            {
                resource.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                {
                    foreach (var name in context.EnvironmentVariables.Keys.Where(k => k.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal)).ToList())
                    {
                        context.EnvironmentVariables.Remove(name);
                    }
                }));
            }

            return Task.CompletedTask;
        });

    /// <summary>
    /// Container mode: the data volume of a stack started on <paramref name="dataDirectory"/>, named after
    /// the path, so that two stacks on one directory share it and no test meets another's.
    /// </summary>
    public static string VolumeFor(string dataDirectory) =>
        $"gpudev-test-{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dataDirectory)))[..16]}";

    /// <summary>
    /// Deletes the data of stacks started on <paramref name="dataDirectory"/> and the directory itself:
    /// in container mode their volume too (once their container is gone).
    /// </summary>
    public static async Task DeleteDataAsync(string dataDirectory)
    {
        if (ContainerMode)
        {
            await ContainerVolumes.RemoveAsync(VolumeFor(dataDirectory));
        }

        TestDirectories.Delete(Path.GetDirectoryName(dataDirectory)!);
    }

    /// <summary>Same password as a previous stack on the same data directory: the server was initialised with it.</summary>
    /// <summary>
    /// The roles' passwords on the command line, so a test stack writes none into the AppHost's user secrets (the
    /// bootstrap sets them at every start). A stack like `dotnet run` uses the developer's, as `dotnet run` does.
    /// </summary>
    private static string[] RolePasswords() => [$"--Parameters:postgres-owner-password={NewSecret()}", $"--Parameters:postgres-runtime-password={NewSecret()}"];

    public static string NewSecret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public HttpClient CreateApiClient() => App.CreateHttpClient(ApiResource, "http");

    public async Task<string> DatabaseConnectionStringAsync(CancellationToken cancellationToken = default) =>
        await App.GetConnectionStringAsync(DatabaseResource, cancellationToken)
        ?? throw new InvalidOperationException("The gpudev database has no connection string.");

    /// <summary>Waits until a resource reaches one of <paramref name="states"/> and returns its snapshot.</summary>
    public async Task<CustomResourceSnapshot> WaitForStateAsync(string resource, TimeSpan timeout, params string[] states)
    {
        using var cts = new CancellationTokenSource(timeout);
        var resourceEvent = await App.ResourceNotifications.WaitForResourceAsync(
            resource, e => states.Contains(e.Snapshot.State?.Text), cts.Token);
        return resourceEvent.Snapshot;
    }

    /// <summary>Waits until a resource's log contains a line matching <paramref name="match"/>; returns all lines seen.</summary>
    public async Task<IReadOnlyList<string>> WaitForLogAsync(string resource, Func<string, bool> match, TimeSpan timeout)
    {
        var loggerService = App.Services.GetRequiredService<ResourceLoggerService>();
        var lines = new List<string>();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var batch in loggerService.WatchAsync(ResolveInstanceName(resource)).WithCancellation(cts.Token))
            {
                lines.AddRange(batch.Select(l => l.Content));
                if (batch.Any(l => match(l.Content)))
                {
                    return lines;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException($"No log line of '{resource}' matched within {timeout}. Lines seen:\n{string.Join('\n', lines)}");
    }

    private string ResolveInstanceName(string resource)
    {
        var notifications = App.Services.GetRequiredService<ResourceNotificationService>();
        return notifications.TryGetCurrentState(resource, out var resourceEvent) ? resourceEvent.ResourceId : resource;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (_ownsDataDirectory)
        {
            await DeleteDataAsync(DataDirectory);
        }
    }
}
