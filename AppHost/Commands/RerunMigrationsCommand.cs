using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

/// <summary>"Re-run migrations" on the migration worker: applies <c>database/</c> again without restarting the stack.</summary>
public static class RerunMigrationsCommand
{
    public const string Name = "rerun-migrations";

    public static IResourceBuilder<ProjectResource> WithRerunMigrationsCommand(this IResourceBuilder<ProjectResource> worker) =>
        worker.WithCommand(
            Name,
            "Re-run migrations",
            async context =>
            {
                var failure = await MigrationWorkerRun.RunAsync(context.Services, worker.Resource, context.CancellationToken);
                return failure is null
                    ? CommandResults.Success("Migrations applied: the schema and fixtures in database/ are up to date.")
                    : CommandResults.Failure(failure);
            },
            new CommandOptions
            {
                Description = "Apply database/schema and database/fixtures again (files already applied with the same content are skipped).",
                IconName = "ArrowSync",
                IsHighlighted = true,
                // The worker exits after each run; while one runs, a second start would only queue behind it.
                UpdateState = context => IsRunning(context.ResourceSnapshot) ? ResourceCommandState.Disabled : ResourceCommandState.Enabled,
            });

    internal static bool IsRunning(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text is { } state && (state == KnownResourceStates.Running || state == KnownResourceStates.Starting || state == KnownResourceStates.Waiting);
}
