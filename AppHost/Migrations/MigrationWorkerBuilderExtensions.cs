using Aspire.Hosting.ApplicationModel;
using GpuDev.Database;

namespace Aspire.Hosting;

public static class MigrationWorkerBuilderExtensions
{
    /// <summary>Where the repository keeps its SQL, relative to the AppHost project.</summary>
    public const string DatabaseDirectory = "../database";

    /// <summary>
    /// Points the worker at the repository's <c>database/</c> directory, so an edited SQL file takes
    /// effect on the next run without a rebuild. A published worker uses the copy bundled in its output.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMigrationFiles(this IResourceBuilder<ProjectResource> builder)
    {
        var path = Path.GetFullPath(Path.Combine(builder.ApplicationBuilder.AppHostDirectory, DatabaseDirectory));
        return builder.ApplicationBuilder.ExecutionContext.IsRunMode
            ? builder.WithEnvironment(SettingNames.MigrationsPath, path)
            : builder;
    }
}
