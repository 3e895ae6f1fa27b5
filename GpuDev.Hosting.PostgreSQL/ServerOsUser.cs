namespace GpuDev.Hosting.PostgreSQL;

/// <summary>
/// The operating-system account the PostgreSQL server runs under. PostgreSQL refuses to run as
/// root, so a root AppHost (CI, containers, dev VMs) runs the server and its tools as an
/// unprivileged account (by default <c>postgres</c>, which the distribution packages create);
/// anyone else runs them as themselves.
/// </summary>
public sealed class ServerOsUser
{
    private const string SetPrivPath = "/usr/bin/setpriv";

    private ServerOsUser(string? switchToUser) => SwitchToUser = switchToUser;

    /// <summary>The account to switch to, or null when commands run as the current user.</summary>
    public string? SwitchToUser { get; }

    public static ServerOsUser ForCurrentProcess(string unprivilegedUser = "postgres") =>
        Environment.IsPrivilegedProcess && !OperatingSystem.IsWindows()
            ? new ServerOsUser(unprivilegedUser)
            : new ServerOsUser(null);

    /// <summary>
    /// The command line that runs <paramref name="executable"/> as this user. <c>setpriv</c> execs the
    /// target in place (no intermediate process), so signals sent to the process reach PostgreSQL itself.
    /// </summary>
    public (string FileName, IReadOnlyList<string> Arguments) Wrap(string executable, IEnumerable<string> arguments)
    {
        if (SwitchToUser is null)
        {
            return (executable, arguments.ToList());
        }

        List<string> wrapped = [$"--reuid={SwitchToUser}", $"--regid={SwitchToUser}", "--init-groups", "--", executable];
        wrapped.AddRange(arguments);
        return (SetPrivPath, wrapped);
    }

    public Task<ProcessResult> RunAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (fileName, args) = Wrap(executable, arguments);
        return ProcessRunner.RunAsync(fileName, args, timeout, cancellationToken);
    }

    /// <summary>Hands a directory to the server's account (a no-op when no switch is needed).</summary>
    public async Task TakeOwnershipAsync(string directory, CancellationToken cancellationToken)
    {
        if (SwitchToUser is null)
        {
            return;
        }

        var result = await ProcessRunner.RunAsync("chown", ["-R", $"{SwitchToUser}:", directory], TimeSpan.FromSeconds(30), cancellationToken);
        if (!result.Succeeded)
        {
            throw new LocalPostgresException(
                $"Could not give '{directory}' to the '{SwitchToUser}' OS user: {result.Output}. " +
                $"PostgreSQL refuses to run as root, so a root AppHost runs it as '{SwitchToUser}'; create that user " +
                "(installing the postgresql package does) or run the AppHost as an ordinary user.");
        }
    }

    /// <summary>True when the server's account can create files in <paramref name="directory"/>.</summary>
    public async Task<bool> CanWriteAsync(string directory, CancellationToken cancellationToken)
    {
        if (SwitchToUser is null)
        {
            return true;
        }

        var result = await RunAsync("/usr/bin/test", ["-w", directory, "-a", "-x", directory], TimeSpan.FromSeconds(10), cancellationToken);
        return result.Succeeded;
    }

    public override string ToString() => SwitchToUser ?? Environment.UserName;
}
