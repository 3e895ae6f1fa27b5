using System.Text.Json.Nodes;
using GpuDev.Hosting.Kubernetes;

namespace GpuDev.Publishing.Tests;

/// <summary>The documented commands, run against the real, built AppHost.</summary>
public sealed class RealAppHostPublishingTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    [Fact]
    public async Task Kubernetes_step_writes_what_the_generator_writes_for_the_app_hosts_model()
    {
        var directory = _scratch.Combine("k8s");

        var (exitCode, log) = await AppHostCommand.RunAsync(["--operation", "publish", "--step", "publish-kubernetes", "--output-path", directory]);

        Assert.True(exitCode == 0, log);
        Assert.Contains("kubectl apply -k", log, StringComparison.Ordinal);
        var real = PublishedOutput.Read(directory);
        var generated = PublishedOutput.Publish(_scratch);
        Assert.Equal(generated.Files.Keys, real.Files.Keys);
        Assert.All(generated.Files, f => Assert.True(f.Value.AsSpan().SequenceEqual(real.Files[f.Key]), $"{f.Key} differs from the generator's output for TestModel.AppHost"));
        Assert.Equal(string.Empty, real.Secret.StringData["POSTGRES_PASSWORD"]);
        Assert.Equal(string.Empty, real.AdminTokenSecret.StringData["ADMIN_TOKEN"]);
        Assert.Contains("The Secret api-admin-token has an empty ADMIN_TOKEN", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubernetes_step_takes_images_namespace_password_and_admin_token_and_is_byte_identical_when_run_twice()
    {
        var first = _scratch.Combine("first");
        var second = _scratch.Combine("second");
        string[] options =
        [
            "--Kubernetes:Namespace", "gpu-test", "--Kubernetes:WorkerImage", "registry.example/worker:3.0.0",
            "--Kubernetes:ApiImage", "registry.example/api:3.0.0",
        ];
        var environment = new Dictionary<string, string>
        {
            ["Kubernetes__PostgresPassword"] = "0123456789abcdef0123456789abcdef",
            ["Kubernetes__AdminToken"] = "fedcba9876543210fedcba9876543210",
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

    [Fact]
    public async Task Kubernetes_step_names_the_cause_of_a_bad_option()
    {
        var (exitCode, log) = await AppHostCommand.RunAsync(
            ["--operation", "publish", "--step", "publish-kubernetes", "--output-path", _scratch.Combine("k8s"), "--Kubernetes:Namespace", "Not_Valid"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Kubernetes:Namespace 'Not_Valid' is not a valid Kubernetes name", log, StringComparison.Ordinal);
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
