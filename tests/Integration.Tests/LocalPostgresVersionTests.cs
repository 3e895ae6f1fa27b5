using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using GpuDev.Hosting.PostgreSQL;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GpuDev.Integration.Tests;

/// <summary>
/// Local mode runs production's major version (PostgreSQL 18) with nothing installed by hand, and a
/// data directory that does not fit (another major version, another password) is explained, not retried.
/// </summary>
[Collection(OwnEnvironmentGroup.Name)]
public sealed class LocalPostgresVersionTests
{
    [LocalModeFact]
    public async Task Stack_with_an_empty_package_cache_fetches_PostgreSQL_18_and_reaches_health_on_it()
    {
        var root = TestDirectories.Create("pg18");
        try
        {
            // An empty cache: nothing installed by hand, the machine's own server is not what runs.
            var cache = Path.Combine(root, "cache");
            await using var environment = await GpuDevEnvironment.StartAsync(
                Path.Combine(root, "postgres"), extraArguments: [$"--Postgres:CacheDirectory={cache}"]);

            using var health = await environment.CreateApiClient().GetAsync(new Uri("/health", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            await using (var connection = new NpgsqlConnection(await environment.DatabaseConnectionStringAsync()))
            {
                await connection.OpenAsync();
                await using var version = new NpgsqlCommand("SELECT version()", connection);
                Assert.StartsWith("PostgreSQL 18.", (string)(await version.ExecuteScalarAsync())!);
            }

            Assert.True(environment.App.ResourceNotifications.TryGetCurrentState(GpuDevEnvironment.ServerResource, out var server));
            var properties = server.Snapshot.Properties.ToDictionary(p => p.Name, p => p.Value?.ToString());
            Assert.StartsWith("embeddedpackage: @embedded-postgres/", properties["gpudev.postgres.binaries"]);
            Assert.StartsWith("18.", properties["gpudev.postgres.version"]);
            Assert.True(Directory.Exists(Path.Combine(cache, $"{EmbeddedPostgresPackage.ForCurrentPlatform()!.Platform}-{EmbeddedPostgresPackage.ForCurrentPlatform()!.Version}")));

            // The download's progress is in the dashboard's log of the postgres resource.
            var log = await environment.WaitForLogAsync(GpuDevEnvironment.ServerResource, line => line.Contains("is ready in", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
            Assert.Contains(log, line => line.Contains("Fetching @embedded-postgres/", StringComparison.Ordinal));
            Assert.Contains(log, line => line.Contains("SHA-512 matches the pinned integrity", StringComparison.Ordinal));
        }
        finally
        {
            TestDirectories.Delete(root);
        }
    }

    [LocalModeFact]
    public async Task Data_directory_made_with_another_password_gets_one_line_naming_the_fix_within_seconds()
    {
        var root = TestDirectories.Create("password");
        var dataDirectory = Path.Combine(root, "postgres");
        try
        {
            // An earlier run (or another tool) initialised the directory with another password.
            var installation = (await PostgresBinaryResolver.ResolveAsync(PostgresResolutionOptions.FromEnvironment())).Require();
            await installation.EnsureAvailableAsync(NullLogger.Instance, CancellationToken.None);
            await new PostgresDataDirectory(dataDirectory, installation, ServerOsUser.ForCurrentProcess())
                .PrepareAsync(GpuDevEnvironment.NewSecret(), NullLogger.Instance, CancellationToken.None);

            var console = new CollectingLoggerProvider();
            var started = Stopwatch.StartNew();
            await using var environment = await GpuDevEnvironment.StartAsync(
                dataDirectory,
                GpuDevEnvironment.NewSecret(),
                configure: builder =>
                {
                    builder.Services.AddSingleton<ILoggerProvider>(console);

                    // Only the server: the worker and the API would wait for a database that never becomes healthy.
                    foreach (var waiting in builder.Resources.Where(r => r.Name is GpuDevEnvironment.WorkerResource or GpuDevEnvironment.ApiResource or GpuDevEnvironment.ProcessorResource).ToList())
                    {
                        builder.Resources.Remove(waiting);
                    }
                },
                waitForApiHealthy: false);

            var log = await environment.WaitForLogAsync(GpuDevEnvironment.ServerResource, IsPasswordLine, TimeSpan.FromSeconds(30));
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"took {started.Elapsed}");
            var line = Assert.Single(log, IsPasswordLine);
            Assert.Contains("--Postgres:ResetData true", line, StringComparison.Ordinal);
            Assert.Contains("Parameters:postgres-password", line, StringComparison.Ordinal);
            Assert.Contains(dataDirectory, line, StringComparison.Ordinal);
            Assert.Single(console.AppHostLines, IsPasswordLine);
            Assert.True(File.Exists(Path.Combine(dataDirectory, "PG_VERSION")), "the data must be kept");
        }
        finally
        {
            TestDirectories.Delete(root);
        }

        static bool IsPasswordLine(string line) => line.Contains("28P01", StringComparison.Ordinal);
    }

    [LocalModeFact]
    public async Task Data_directory_of_another_major_version_fails_to_start_with_the_readme_message_and_keeps_the_data()
    {
        var root = TestDirectories.Create("major");
        var dataDirectory = Path.Combine(root, "postgres");
        try
        {
            Directory.CreateDirectory(dataDirectory);
            await File.WriteAllTextAsync(Path.Combine(dataDirectory, "PG_VERSION"), "15\n");
            var console = new CollectingLoggerProvider();

            await using var environment = await GpuDevEnvironment.StartAsync(
                dataDirectory,
                configure: builder => builder.Services.AddSingleton<ILoggerProvider>(console),
                waitForApiHealthy: false);

            var server = await environment.WaitForStateAsync(GpuDevEnvironment.ServerResource, TimeSpan.FromSeconds(60), KnownResourceStates.FailedToStart);
            Assert.Equal(KnownResourceStates.FailedToStart, server.State?.Text);
            var log = await environment.WaitForLogAsync(GpuDevEnvironment.ServerResource, IsVersionLine, TimeSpan.FromSeconds(10));
            Assert.Contains(log, line => IsVersionLine(line) && line.Contains("reset local data", StringComparison.Ordinal));
            Assert.Single(console.AppHostLines, IsVersionLine);
            Assert.Equal("15\n", await File.ReadAllTextAsync(Path.Combine(dataDirectory, "PG_VERSION")));
        }
        finally
        {
            TestDirectories.Delete(root);
        }

        static bool IsVersionLine(string line) => line.Contains("was created by PostgreSQL 15, but the binaries", StringComparison.Ordinal);
    }

    [LocalModeFact]
    public async Task Resolution_without_npm_or_machine_binaries_names_npm_and_the_fixes()
    {
        var root = TestDirectories.Create("nonpm");
        try
        {
            var resolution = await PostgresBinaryResolver.ResolveAsync(new PostgresResolutionOptions
            {
                CacheDirectory = root,
                NpmCommand = Path.Combine(root, "no-such-npm"),
                SearchMachine = false,
            });

            Assert.Null(resolution.Installation);
            var error = Assert.Throws<LocalPostgresException>(() => resolution.Require());
            Assert.Contains("npm", error.Message, StringComparison.Ordinal);
            Assert.Contains("@embedded-postgres/", error.Message, StringComparison.Ordinal);
            Assert.Contains("Postgres:BinDirectory", error.Message, StringComparison.Ordinal);
            Assert.Contains("apt-get install postgresql", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            TestDirectories.Delete(root);
        }
    }

    [LocalModeFact]
    public async Task Cached_package_is_reused_without_npm()
    {
        // Fill the default cache as every run does, then resolve again with npm gone.
        var options = PostgresResolutionOptions.FromEnvironment() with { BinDirectory = null };
        var first = (await PostgresBinaryResolver.ResolveAsync(options)).Require();
        await first.EnsureAvailableAsync(NullLogger.Instance, CancellationToken.None);

        var resolution = await PostgresBinaryResolver.ResolveAsync(options with { NpmCommand = "/nonexistent/npm", SearchMachine = false });

        Assert.Equal(PostgresBinarySource.EmbeddedPackage, resolution.Source);
        Assert.Contains("cached in", resolution.Description, StringComparison.Ordinal);
        Assert.Equal(PostgresBinaryResolver.ProductionMajorVersion, resolution.Require().MajorVersion);
        Assert.Null(resolution.VersionWarning);
    }

    [LocalModeFact]
    public async Task Without_npm_the_machines_older_server_is_used_with_a_warning_naming_both_versions()
    {
        var (machine, _) = await PostgresInstallation.FindAsync(null);
        if (machine is null || machine.MajorVersion >= PostgresBinaryResolver.ProductionMajorVersion)
        {
            return; // no older server on this machine
        }

        var root = TestDirectories.Create("older");
        try
        {
            var resolution = await PostgresBinaryResolver.ResolveAsync(new PostgresResolutionOptions { CacheDirectory = root, NpmCommand = "/nonexistent/npm" });

            Assert.Equal(PostgresBinarySource.Machine, resolution.Source);
            Assert.Equal(machine.BinDirectory, resolution.Require().BinDirectory);
            Assert.Contains($"PostgreSQL {machine.MajorVersion} ", resolution.VersionWarning, StringComparison.Ordinal);
            Assert.Contains("production runs PostgreSQL 18", resolution.VersionWarning, StringComparison.Ordinal);
        }
        finally
        {
            TestDirectories.Delete(root);
        }
    }

    [LocalModeFact]
    public void A_package_is_pinned_with_a_sha512_for_this_platform_at_production_major_version()
    {
        var package = EmbeddedPostgresPackage.ForCurrentPlatform();

        Assert.NotNull(package);
        Assert.Equal(PostgresBinaryResolver.ProductionMajorVersion, package.MajorVersion);
        Assert.Matches("^sha512-[A-Za-z0-9+/]{86}==$", package.Integrity);
    }
}
