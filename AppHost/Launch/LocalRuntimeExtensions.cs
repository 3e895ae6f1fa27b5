using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

public static class LocalRuntimeExtensions
{
    /// <summary>
    /// Run mode only (the stack on a developer's machine, listening on loopback): the services' JIT-compiled
    /// code is mapped once instead of twice. .NET's write-xor-execute protection keeps a writable and an
    /// executable view of that code (about 30 MiB of the API's resident memory under load) and costs start-up
    /// time; it hardens a service exposed to attackers, which a published deployment keeps (nothing is emitted).
    /// </summary>
    public static IDistributedApplicationBuilder WithoutDoubleMappedCodeLocally(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            foreach (var project in @event.Model.Resources.OfType<ProjectResource>())
            {
                builder.CreateResourceBuilder(project).WithEnvironment("DOTNET_EnableWriteXorExecute", "0");
            }

            return Task.CompletedTask;
        });
        return builder;
    }
}
