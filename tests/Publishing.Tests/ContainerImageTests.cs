using System.Text.Json;
using GpuDev.Hosting.Kubernetes;

namespace GpuDev.Publishing.Tests;

/// <summary>
/// The images: the projects' .NET SDK container settings, and the names the YAML gives them. Building and
/// pushing needs the base images and a registry, which these tests do not have; they evaluate the settings.
/// </summary>
public sealed class ContainerImageTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    public static TheoryData<string, string> Projects() => new()
    {
        { "migration-worker", "MigrationWorker/MigrationWorker.csproj" },
        { "api", "Api/Api.csproj" },
        { "reservation-processor", "ReservationProcessor/ReservationProcessor.csproj" },
    };

    [Theory]
    [MemberData(nameof(Projects))]
    public void Each_project_names_its_image_and_tags_it_with_its_version_never_latest(string resource, string project)
    {
        var path = Path.Combine(RepositoryFiles.Root, project);

        var settings = Evaluate(path);
        var versioned = Evaluate(path, "-p:Version=2.3.4");

        Assert.Equal(TestModel.AppHost.ProjectImages[resource].Repository, settings["ContainerRepository"]);
        Assert.Equal(settings["Version"], settings["ContainerImageTag"]);
        Assert.NotEqual("latest", settings["ContainerImageTag"]);
        Assert.Equal("2.3.4", versioned["ContainerImageTag"]);
        Assert.Equal(PodSecurity.DotNetUser.ToString(System.Globalization.CultureInfo.InvariantCulture), settings["ContainerUser"]);
        Assert.Equal(TestModel.AppHost.ProjectImages[resource], new ContainerImageSettings(settings["ContainerRepository"], settings["ContainerImageTag"], settings["ContainerUser"]));
    }

    [Fact]
    public async Task The_publisher_reads_the_same_settings_the_sdk_builds_with()
    {
        var settings = await ContainerImageSettingsReader.ReadAsync(
            Projects().ToDictionary(row => (string)row[0], row => Path.Combine(RepositoryFiles.Root, (string)row[1])));

        Assert.Equal(TestModel.AppHost.ProjectImages.OrderBy(p => p.Key, StringComparer.Ordinal), settings.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void The_containers_solution_filter_builds_exactly_the_three_images()
    {
        using var filter = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "GpuDev.Containers.slnf")));

        var projects = filter.RootElement.GetProperty("solution").GetProperty("projects").EnumerateArray().Select(p => p.GetString()!.Replace('\\', '/'));

        Assert.Equal(Projects().Select(row => (string)row[1]).Order(StringComparer.Ordinal), projects.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void With_a_registry_every_image_is_registry_qualified_and_tagged_alike()
    {
        var output = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { Registry = "registry.example:5000/", ImageTag = "4f2c1ab" });

        Assert.Equal("registry.example:5000/gpudev-migrationworker:4f2c1ab", output.Job.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("registry.example:5000/gpudev-migrationworker:4f2c1ab", output.ApiDeployment.Spec.Template.Spec.InitContainers[0].Image);
        Assert.Equal("registry.example:5000/gpudev-api:4f2c1ab", output.ApiDeployment.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("registry.example:5000/gpudev-reservationprocessor:4f2c1ab", output.Deployment("reservation-processor").Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public void Without_a_registry_the_result_names_the_images_that_must_be_pushed()
    {
        var result = KubernetesPublisher.Publish(TestModel.AppHost, new KubernetesPublishingOptions(), RepositoryFiles.DatabaseDirectory, _scratch.Combine("k8s"));

        Assert.Equal(["gpudev-api:1.0.0", "gpudev-migrationworker:1.0.0", "gpudev-reservationprocessor:1.0.0"], result.UnqualifiedImages);
    }

    [Theory]
    [InlineData("registry.example/gpudev-api:latest")]
    [InlineData("registry.example/gpudev-api")]
    public void A_latest_or_untagged_image_is_refused(string image)
    {
        var error = Assert.Throws<ArgumentException>(() => PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { ApiImage = image }));

        Assert.Contains("Kubernetes:ApiImage", error.Message, StringComparison.Ordinal);
        Assert.Contains("'latest'", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Evaluate(string project, params string[] extra)
    {
        var (exitCode, output) = ExternalTool.Run(
            "dotnet",
            ["msbuild", project, "-nologo", "-getProperty:ContainerRepository", "-getProperty:ContainerImageTag", "-getProperty:ContainerUser", "-getProperty:Version", .. extra]);
        Assert.True(exitCode == 0, output);
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("Properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    public void Dispose() => _scratch.Dispose();
}
