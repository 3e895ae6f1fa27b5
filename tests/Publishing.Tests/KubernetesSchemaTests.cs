using GpuDev.Hosting.Kubernetes;

namespace GpuDev.Publishing.Tests;

/// <summary>
/// The written YAML against the Kubernetes API's OpenAPI definitions, strictly (unknown fields, wrong types
/// and missing required fields rejected), offline: KubernetesClient's own models are lenient. The definitions
/// are Debian's python3-kubernetes package, which .ci/run installs (<c>apt-get install python3-kubernetes</c>).
/// </summary>
public sealed class KubernetesSchemaTests : IDisposable
{
    // Debian's own interpreter, where the Debian package lives (a pyenv or venv python3 first on PATH would not see it).
    private const string Python = "/usr/bin/python3";
    private static readonly string Validator = Path.Combine(RepositoryFiles.Root, "tests", "Publishing.Tests", "KubernetesSchema", "validate_strict.py");
    private readonly Scratch _scratch = new("publishing");

    [Fact]
    public void Every_published_object_is_valid_against_the_kubernetes_openapi_schema_with_unknown_fields_rejected()
    {
        var plain = PublishedOutput.Publish(_scratch);
        var everything = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions
        {
            Namespace = "gpu-staging",
            Registry = "registry.example:5000",
            ImageTag = "4f2c1ab",
            PostgresPassword = "0x1A",
            AdminToken = "0123456789abcdef0123456789abcdef",
            PostgresStorageClass = "gp3",
            PostgresStorageSize = "100Gi",
        });

        foreach (var output in new[] { plain, everything })
        {
            var (exitCode, report) = Validate(output.Objects.Keys.Select(name => Path.Combine(output.Directory, name)));
            Assert.True(exitCode == 0, report);
            Assert.Contains($"{output.Objects.Count} of {output.Objects.Count} objects valid", report, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("  replicas: 1\n", "  replicas: 1\n  replicaCount: 1\n", "spec.replicaCount: unknown field")]
    [InlineData("  replicas: 1\n", "  replicas: \"1\"\n", "expected int")]
    public void The_validator_rejects_an_unknown_field_and_a_wrong_type(string original, string broken, string reason)
    {
        var output = PublishedOutput.Publish(_scratch);
        var file = Path.Combine(output.Directory, output.Objects.Single(o => o.Value.Metadata.Name == "reservation-processor").Key);
        var text = File.ReadAllText(file);
        Assert.Contains(original, text, StringComparison.Ordinal);
        File.WriteAllText(file, text.Replace(original, broken, StringComparison.Ordinal));

        var (exitCode, report) = Validate([file]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(reason, report, StringComparison.Ordinal);
        Assert.Contains("0 of 1 objects valid", report, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Report) Validate(IEnumerable<string> files)
    {
        var (exitCode, output) = ExternalTool.Run(Python, ["-c", "import kubernetes, yaml"]);
        Assert.True(
            exitCode == 0,
            $"The strict schema check needs Debian's python3-kubernetes (the Kubernetes OpenAPI definitions): run `apt-get install python3-kubernetes` (.ci/run does). {output}");
        return ExternalTool.Run(Python, [Validator, .. files]);
    }

    public void Dispose() => _scratch.Dispose();
}
