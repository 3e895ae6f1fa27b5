namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// The image every project runs as: a whole reference given as an option, or the project's own container
/// settings (<c>ContainerRepository</c>, <c>ContainerImageTag</c>) under <c>Kubernetes:Registry</c> and
/// <c>Kubernetes:ImageTag</c>, i.e. the name <c>dotnet publish -t:PublishContainer</c> pushes.
/// </summary>
public static class ImageReferences
{
    /// <summary>The option that names the whole image of <paramref name="resourceName"/>.</summary>
    public static string OptionName(KubernetesPublishingOptions options, string resourceName, GpuDevDeploymentModel model)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        return options.Images.ContainsKey(resourceName) ? $"Kubernetes:Images:{resourceName}"
            : resourceName == model.MigrationResourceName ? "Kubernetes:WorkerImage"
            : resourceName == "api" ? "Kubernetes:ApiImage"
            : $"Kubernetes:Images:{resourceName}";
    }

    public static string Resolve(KubernetesPublishingOptions options, GpuDevDeploymentModel model, string resourceName)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        var optionName = OptionName(options, resourceName, model);
        var whole = options.Images.TryGetValue(resourceName, out var image) ? image
            : resourceName == model.MigrationResourceName ? options.WorkerImage
            : resourceName == "api" ? options.ApiImage
            : null;

        string reference;
        if (!string.IsNullOrWhiteSpace(whole))
        {
            reference = whole.Trim();
        }
        else
        {
            var settings = model.ProjectImages.TryGetValue(resourceName, out var projectSettings)
                ? projectSettings
                : new ContainerImageSettings(resourceName, string.Empty);
            var tag = string.IsNullOrWhiteSpace(options.ImageTag) ? settings.Tag : options.ImageTag.Trim();
            if (tag.Length == 0)
            {
                throw new ArgumentException($"The image of '{resourceName}' has no tag: give one with --Kubernetes:ImageTag <version or commit>.");
            }

            var registry = options.Registry?.Trim().TrimEnd('/');
            reference = string.IsNullOrEmpty(registry) ? $"{settings.Repository}:{tag}" : $"{registry}/{settings.Repository}:{tag}";
            optionName = string.IsNullOrWhiteSpace(options.ImageTag) ? optionName : "Kubernetes:ImageTag";
        }

        if (reference.Any(char.IsWhiteSpace) || reference.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{optionName} '{reference}' is not an image reference: give registry/repository:tag, e.g. registry.example.com/gpudev-api:1.4.0.");
        }

        if (KubernetesLabels.ImageTag(reference) == "latest")
        {
            throw new ArgumentException(
                $"{optionName} '{reference}' is tagged 'latest' (or has no tag): a moving tag gives pods of different builds and makes upgrades unrepeatable; give a version or commit tag.");
        }

        return reference;
    }

    /// <summary>True when the reference names a registry (its first path segment has a '.' or ':' or is localhost), as container runtimes decide.</summary>
    public static bool HasRegistry(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return false;
        }

        var first = reference[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost";
    }
}
