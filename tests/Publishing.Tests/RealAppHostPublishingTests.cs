using System.Text.Json.Nodes;
using GpuDev.Database;
using GpuDev.Hosting.Kubernetes;

namespace GpuDev.Publishing.Tests;

/// <summary>The documented commands, run against the real, built AppHost.</summary>
public sealed class RealAppHostPublishingTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    [Fact]
    public async Task Kubernetes_step_writes_what_the_generator_writes_for_the_app_hosts_model_and_the_projects_image_settings()
    {
        var directory = _scratch.Combine("k8s");
        const string password = "0123456789abcdef0123456789abcdef";

        var (exitCode, log) = await AppHostCommand.RunAsync(
            ["--operation", "publish", "--step", "publish-kubernetes", "--output-path", directory],
            new Dictionary<string, string>
            {
                ["Kubernetes__PostgresPassword"] = password,
                ["Kubernetes__PostgresOwnerPassword"] = PublishedOutput.TestOwnerPassword,
                ["Kubernetes__PostgresRuntimePassword"] = PublishedOutput.TestRuntimePassword,
            });

        Assert.True(exitCode == 0, log);
        Assert.Contains("kubectl apply -k", log, StringComparison.Ordinal);
        var real = PublishedOutput.Read(directory);
        var generated = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { PostgresPassword = password });
        Assert.Equal(generated.Files.Keys, real.Files.Keys);
        Assert.All(generated.Files, f => Assert.True(f.Value.AsSpan().SequenceEqual(real.Files[f.Key]), $"{f.Key} differs from the generator's output for TestModel.AppHost"));
        Assert.Equal("gpudev-api:1.0.0", real.ApiDeployment.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(string.Empty, real.AdminTokenSecret.StringData["ADMIN_TOKEN"]);
        Assert.Contains("The Secret api-admin-token has an empty ADMIN_TOKEN", log, StringComparison.Ordinal);
        Assert.Contains("gpudev-api:1.0.0, gpudev-migrationworker:1.0.0, gpudev-reservationprocessor:1.0.0 name no registry", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubernetes_step_with_a_registry_and_nothing_else_names_the_pushed_images_and_generates_the_password()
    {
        var directory = _scratch.Combine("k8s");

        var (exitCode, log) = await AppHostCommand.RunAsync(
            ["--operation", "publish", "--step", "publish-kubernetes", "--output-path", directory, "--Kubernetes:Registry", "registry.example:5000", "--Kubernetes:ImageTag", "4f2c1ab"]);

        Assert.True(exitCode == 0, log);
        var output = PublishedOutput.Read(directory);
        Assert.Equal("registry.example:5000/gpudev-migrationworker:4f2c1ab", output.Job.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("registry.example:5000/gpudev-api:4f2c1ab", output.ApiDeployment.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("registry.example:5000/gpudev-reservationprocessor:4f2c1ab", output.Deployment("reservation-processor").Spec.Template.Spec.Containers[0].Image);
        Assert.Matches("^[0-9a-f]{64}$", output.Secret.StringData["POSTGRES_PASSWORD"]);
        Assert.DoesNotContain("name no registry", log, StringComparison.Ordinal);
        Assert.Contains("POSTGRES_PASSWORD in Secret postgres-credentials was generated", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubernetes_step_takes_images_namespace_password_and_admin_token_and_is_byte_identical_when_run_twice()
    {
        var first = _scratch.Combine("first");
        var second = _scratch.Combine("second");
        string[] options =
        [
            "--Kubernetes:Namespace", "gpu-test", "--Kubernetes:WorkerImage", "registry.example/worker:3.0.0", "--Kubernetes:Images:reservation-processor", "registry.example/processor:3.0.0",
            "--Kubernetes:ApiImage", "registry.example/api:3.0.0",
        ];
        var environment = new Dictionary<string, string>
        {
            ["Kubernetes__PostgresPassword"] = "0123456789abcdef0123456789abcdef",
            ["Kubernetes__AdminToken"] = "fedcba9876543210fedcba9876543210",
            ["Kubernetes__PostgresOwnerPassword"] = PublishedOutput.TestOwnerPassword,
            ["Kubernetes__PostgresRuntimePassword"] = PublishedOutput.TestRuntimePassword,
        };

        var runs = new[]
        {
            await AppHostCommand.RunAsync(["--operation", "publish", "--step", "publish-kubernetes", "--output-path", first, .. options], environment),
            await AppHostCommand.RunAsync(["--operation", "publish", "--step", "publish-kubernetes", "--output-path", second, .. options], environment),
        };

        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.Output));
        var a = PublishedOutput.Read(first);
        var b = PublishedOutput.Read(second);
        Assert.Equal(a.Files.Keys, b.Files.Keys);
        Assert.All(a.Files, f => Assert.True(f.Value.AsSpan().SequenceEqual(b.Files[f.Key]), $"{f.Key} differs between two runs"));
        Assert.Equal("gpu-test", a.Job.Metadata.NamespaceProperty);
        Assert.Equal("registry.example/worker:3.0.0", a.Job.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("registry.example/api:3.0.0", a.ApiDeployment.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("0123456789abcdef0123456789abcdef", a.Secret.StringData["POSTGRES_PASSWORD"]);
        Assert.Equal("fedcba9876543210fedcba9876543210", a.AdminTokenSecret.StringData["ADMIN_TOKEN"]);
    }

    [Theory]
    [InlineData("--Kubernetes:Namespace", "Not_Valid", "Kubernetes:Namespace 'Not_Valid' is not a valid Kubernetes name")]
    [InlineData("--Kubernetes:AdminToken", "short", "Kubernetes:AdminToken")]
    [InlineData("--Kubernetes:PostgresPassword", "a;b", "Kubernetes:PostgresPassword must not contain ';'")]
    [InlineData("--Kubernetes:ImageTag", "latest", "is tagged 'latest'")]
    public async Task Kubernetes_step_refuses_a_bad_option_in_one_line_without_a_stack_trace_and_exits_non_zero(string option, string value, string reason)
    {
        var (exitCode, log) = await AppHostCommand.RunAsync(
            ["--operation", "publish", "--step", "publish-kubernetes", "--output-path", _scratch.Combine("k8s"), option, value]);

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(log.Split('\n'), l => l.Contains(reason, StringComparison.Ordinal));
        Assert.Contains("publish-kubernetes failed: ", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", log);
        Assert.DoesNotContain("Exception", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_aspire_step_makes_publish_exit_non_zero()
    {
        // push-prereq is Aspire's own step that a bare `--operation publish` runs: with no registry it fails.
        var (exitCode, log) = await AppHostCommand.RunAsync(["--operation", "publish", "--step", "push-prereq", "--output-path", _scratch.Combine("out")]);

        Assert.Contains("requires image push but no container registry", log, StringComparison.Ordinal);
        Assert.NotEqual(0, exitCode);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("local")]
    public async Task Aspire_manifest_describes_the_pgmq_image_projects_with_the_database_and_secret_parameters(string mode)
    {
        var path = _scratch.Combine("aspire-manifest.json");

        var (exitCode, log) = await AppHostCommand.RunAsync(["--publisher", "manifest", "--output-path", path, "--Postgres:Mode", mode]);

        Assert.True(exitCode == 0, log);
        var resources = JsonNode.Parse(File.ReadAllText(path))!["resources"]!.AsObject();

        var postgres = resources["postgres"]!;
        Assert.Equal("container.v0", (string?)postgres["type"]);
        Assert.Equal("ghcr.io/pgmq/pg18-pgmq:v1.8.1", (string?)postgres["image"]);

        // Deployable from the manifest alone: the server creates the `gpudev` user and database and PGMQ itself.
        Assert.Equal("{postgres-user.value}", (string?)postgres["env"]!["POSTGRES_USER"]);
        Assert.Equal("gpudev", (string?)resources["postgres-user"]!["inputs"]!["value"]!["default"]!["value"]);
        Assert.Equal("gpudev", (string?)postgres["env"]!["POSTGRES_DB"]);
        Assert.Contains("Username={postgres-user.value}", (string?)postgres["connectionString"], StringComparison.Ordinal);
        var init = Assert.Single(postgres["bindMounts"]!.AsArray(), m => (string?)m!["target"] == "/docker-entrypoint-initdb.d");
        var initDirectory = Path.GetFullPath((string)init!["source"]!, Path.GetDirectoryName(path)!);
        Assert.Equal(PostgresManifests.InitScript, File.ReadAllText(Path.Combine(initDirectory, PostgresManifests.InitScriptFileName)));

        // ...and the roles, from the same bootstrap the AppHost runs, with the passwords of the secret parameters.
        Assert.Equal(DatabaseBootstrap.Script, File.ReadAllText(Path.Combine(initDirectory, "gpudev-bootstrap.psql")));
        Assert.Contains("-f /docker-entrypoint-initdb.d/gpudev-bootstrap.psql", File.ReadAllText(Path.Combine(initDirectory, "002_gpudev_bootstrap.sh")), StringComparison.Ordinal);
        Assert.Equal("{postgres-owner-password.value}", (string?)postgres["env"]![DatabaseRoleManifests.OwnerPasswordKey]);
        Assert.Equal("{postgres-runtime-password.value}", (string?)postgres["env"]![DatabaseRoleManifests.RuntimePasswordKey]);
        Assert.Equal(["http"], resources["api"]!["bindings"]!.AsObject().Select(b => b.Key));

        // Each project reaches the database as its role (GpuDev.Database.DatabaseRoles), never as the superuser.
        foreach (var (project, role) in new[] { ("migration-worker", "owner"), ("api", "runtime"), ("reservation-processor", "runtime") })
        {
            Assert.Equal("project.v0", (string?)resources[project]!["type"]);
            Assert.Equal($"{{gpudev-{role}.connectionString}}", (string?)resources[project]!["env"]!["ConnectionStrings__gpudev"]);
            Assert.Equal(
                $"Host={{postgres.bindings.tcp.host}};Port={{postgres.bindings.tcp.port}};Username=gpudev_{role};Password={{postgres-{role}-password.value}};Database=gpudev",
                (string?)resources[$"gpudev-{role}"]!["connectionString"]);
        }

        // A secret is a parameter whose value is an input placeholder, never a literal.
        var secrets = resources.Where(r => (string?)r.Value!["type"] == "parameter.v0" && (bool?)r.Value!["inputs"]?["value"]?["secret"] == true).ToList();
        Assert.Contains(secrets, s => s.Key == "postgres-password");
        Assert.Contains(secrets, s => s.Key == "postgres-owner-password");
        Assert.Contains(secrets, s => s.Key == "postgres-runtime-password");
        Assert.All(secrets, s =>
        {
            Assert.Equal($"{{{s.Key}.inputs.value}}", (string?)s.Value!["value"]);
            Assert.Null(s.Value!["inputs"]!["value"]!["default"]?["value"]);
        });
        Assert.Equal("{postgres-password.value}", (string?)postgres["env"]!["POSTGRES_PASSWORD"]);
    }

    public void Dispose() => _scratch.Dispose();
}
