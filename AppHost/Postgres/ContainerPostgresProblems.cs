namespace GpuDev.AppHost.Postgres;

/// <summary>
/// The one line container mode prints, on the AppHost console and in the <c>postgres</c> resource's log,
/// for each failure a user can cause; each names the cause and the fix.
/// </summary>
public static class ContainerPostgresProblems
{
    public static string RuntimeNotUsable(ContainerRuntimeStatus runtime) => runtime.IsInstalled
        ? $"PostgreSQL container mode: the container runtime '{runtime.Runtime}' is {runtime.Detail}. Fix: start it " +
          "(Docker Desktop, 'sudo systemctl start docker', or 'podman machine start'), or run with '--Postgres:Mode local'."
        : $"PostgreSQL container mode: the container runtime '{runtime.Runtime}' is {runtime.Detail}. Fix: install Docker " +
          "or Podman, or run with '--Postgres:Mode local'.";

    public static string ImageMissing(string runtime, string image) =>
        $"PostgreSQL container mode: the image {image} is not on this machine and '{runtime}' could not pull it. Fix: pull it " +
        $"('{runtime} pull {image}') where its registry is reachable; or build the stand-in image with eng/container-test-image " +
        "and export what it prints (Postgres__ContainerRegistry/ContainerImage/ContainerTag); or run with '--Postgres:Mode local'.";

    public static string ContainerStopped(string state, string image) =>
        $"PostgreSQL container mode: the postgres container ({image}) is '{state}' before it became ready; its log above says why. " +
        "Fix what it names, or run with '--Postgres:Mode local'.";

    public static string PasswordRejected(string volume) =>
        $"PostgreSQL rejected the postgres-password (SQLSTATE 28P01, password authentication failed): the data volume {volume} " +
        "was initialised with another password (user secrets reset, or another tool's run). Fix: set Parameters:postgres-password " +
        "to the password the volume was created with ('dotnet user-secrets set Parameters:postgres-password <old> --project AppHost'), " +
        "or start once with '--Postgres:ResetData true' (deletes the volume and its data).";

    public static string VolumeNotDeleted(string runtime, string volume, string detail) =>
        $"PostgreSQL container mode: '--Postgres:ResetData true' could not delete the data volume {volume} ({detail}). Fix: stop " +
        $"what uses it ('{runtime} ps -a --filter volume={volume}'), then start again.";
}
