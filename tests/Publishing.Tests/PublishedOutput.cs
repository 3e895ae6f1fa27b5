using GpuDev.Hosting.Kubernetes;
using k8s;
using k8s.Models;

namespace GpuDev.Publishing.Tests;

/// <summary>A published directory read back with KubernetesClient: every file and the object in it.</summary>
public sealed class PublishedOutput
{
    private PublishedOutput(string directory, IReadOnlyDictionary<string, byte[]> files, IReadOnlyDictionary<string, IKubernetesObject<V1ObjectMeta>> objects)
    {
        Directory = directory;
        Files = files;
        Objects = objects;
    }

    public string Directory { get; }

    /// <summary>Every file by name, as bytes.</summary>
    public IReadOnlyDictionary<string, byte[]> Files { get; }

    /// <summary>The object of every YAML file except kustomization.yaml, by file name.</summary>
    public IReadOnlyDictionary<string, IKubernetesObject<V1ObjectMeta>> Objects { get; }

    /// <summary>The migration hash the Job and the Deployments' wait containers share.</summary>
    public string Hash => MigrationJobManifests.MigrationHashOf(Job);

    public V1Job Job => OnlyOne<V1Job>();

    public V1Deployment ApiDeployment => Deployment("api-service");

    public V1Deployment Deployment(string name) => Objects.Values.OfType<V1Deployment>().Single(d => d.Metadata.Name == name);

    public V1StatefulSet Postgres => OnlyOne<V1StatefulSet>();

    /// <summary>The <c>postgres-credentials</c> Secret.</summary>
    public V1Secret Secret => SecretNamed(DatabaseCredentials.SecretName);

    public V1Secret AdminTokenSecret => SecretNamed(GpuDev.Hosting.Kubernetes.AdminTokenSecret.SecretName);

    public V1Secret SecretNamed(string name) => Objects.Values.OfType<V1Secret>().Single(s => s.Metadata.Name == name);

    public V1ConfigMap ConfigMap(string name) => Objects.Values.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == name);

    public V1Service Service(string name) => Objects.Values.OfType<V1Service>().Single(s => s.Metadata.Name == name);

    public T OnlyOne<T>() => Objects.Values.OfType<T>().Single();

    public const string TestOwnerPassword = "0wner0wner0wner0wner0wner0wner00";
    public const string TestRuntimePassword = "runt1meruntimeruntimeruntimerunt";

    /// <summary>Runs the generator the publish step runs, on <paramref name="model"/> and <paramref name="options"/>, into a new directory below <paramref name="scratch"/>.</summary>
    public static PublishedOutput Publish(Scratch scratch, KubernetesPublishingOptions? options = null, string? databaseDirectory = null, GpuDevDeploymentModel? model = null) =>
        PublishInto(scratch.Combine($"k8s-{Guid.NewGuid():N}"), options, databaseDirectory, model);

    /// <summary>Publishes into <paramref name="directory"/>, which may hold an earlier publish.</summary>
    public static PublishedOutput PublishInto(string directory, KubernetesPublishingOptions? options = null, string? databaseDirectory = null, GpuDevDeploymentModel? model = null)
    {
        options ??= new KubernetesPublishingOptions();
        // Fixed role passwords unless a test gives its own: generated ones would make every Job name differ
        // (their checksum is part of the Job's template). Generation itself is tested on the publisher.
        options.PostgresOwnerPassword ??= TestOwnerPassword;
        options.PostgresRuntimePassword ??= TestRuntimePassword;
        KubernetesPublisher.Publish(model ?? TestModel.AppHost, options, databaseDirectory ?? RepositoryFiles.DatabaseDirectory, directory);
        return Read(directory);
    }

    /// <summary>Reads a directory back; every YAML file other than kustomization.yaml must hold exactly one Kubernetes object.</summary>
    public static PublishedOutput Read(string directory)
    {
        var files = System.IO.Directory.GetFiles(directory)
            .Where(path => !Path.GetFileName(path).StartsWith('.'))
            .ToDictionary(path => Path.GetFileName(path), File.ReadAllBytes, StringComparer.Ordinal);
        var objects = new Dictionary<string, IKubernetesObject<V1ObjectMeta>>(StringComparer.Ordinal);
        foreach (var (name, content) in files.Where(f => f.Key.EndsWith(".yaml", StringComparison.Ordinal) && f.Key != KubernetesManifestWriter.KustomizationFileName))
        {
            // strict: an unknown field would mean the YAML is not what the typed model describes.
            var parsed = KubernetesYaml.LoadAllFromString(System.Text.Encoding.UTF8.GetString(content), strict: true);
            Assert.True(parsed.Count == 1, $"{name} holds {parsed.Count} objects, expected one");
            objects[name] = Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(parsed[0]);
        }

        return new PublishedOutput(directory, files, objects);
    }
}
