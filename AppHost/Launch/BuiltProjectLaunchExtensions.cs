using System.Reflection;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>
/// Run mode starts each service's built program directly instead of through <c>dotnet run --no-build</c>.
/// Both run the same build output (the AppHost's build builds its projects; <c>--no-build</c> never
/// rebuilds), but <c>dotnet run</c> first spends about 0.7 s evaluating the project with MSBuild, and the
/// stack pays that twice in series (the worker, then the API after it). Aspire's project launch honours an
/// <see cref="ExecutableAnnotation"/> on a project resource: the command is run with the project's arguments
/// and environment. Left as it is when an IDE launches the projects (it builds and debugs them itself), under
/// <c>dotnet watch</c>, and when a program file is missing (for example a project built without an app host).
/// </summary>
public static class BuiltProjectLaunchExtensions
{
    private const string MetadataPrefix = "GpuDev.BuiltProjectOutput:";

    public static IDistributedApplicationBuilder LaunchBuiltProjectsDirectly(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode
            || !string.IsNullOrEmpty(builder.Configuration["DEBUG_SESSION_PORT"])
            || builder.Configuration.GetValue("DOTNET_WATCH", false))
        {
            return builder;
        }

        var outputs = typeof(BuiltProjectLaunchExtensions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Where(a => a.Key.StartsWith(MetadataPrefix, StringComparison.Ordinal) && a.Value is not null)
            .ToDictionary(a => Path.GetFullPath(a.Key[MetadataPrefix.Length..]), a => a.Value!, StringComparer.Ordinal);

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            foreach (var project in @event.Model.Resources.OfType<ProjectResource>())
            {
                if (project.HasAnnotationOfType<ExecutableAnnotation>()
                    || !project.TryGetLastAnnotation<IProjectMetadata>(out var metadata)
                    || !outputs.TryGetValue(Path.GetFullPath(metadata.ProjectPath), out var assembly)
                    || ProgramBeside(assembly) is not { } program)
                {
                    continue;
                }

                project.Annotations.Add(new ExecutableAnnotation { Command = program, WorkingDirectory = Path.GetDirectoryName(metadata.ProjectPath)! });
            }

            return Task.CompletedTask;
        });
        return builder;
    }

    // The SDK's app host: the assembly's name without extension (Windows: .exe), in the same directory.
    private static string? ProgramBeside(string assembly)
    {
        var program = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        return File.Exists(program) && File.Exists(assembly) ? program : null;
    }
}
