using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GpuDev.Hosting.PostgreSQL;

/// <summary>
/// Says once, on the AppHost console and in the <c>postgres</c> resource's log, that the server rejects
/// the configured password (SQLSTATE 28P01) and how to fix it. Health checks keep failing every few
/// seconds until the AppHost stops; without this line nothing but the health status would show why
/// nothing after PostgreSQL starts.
/// </summary>
internal sealed class PasswordRejectionReport(LocalPostgresServerResource server)
{
    private int _reported;

    public static string Message(string dataDirectory) =>
        $"PostgreSQL rejected the postgres-password (SQLSTATE 28P01, password authentication failed): the data directory " +
        $"{dataDirectory} was initialised with another password (user secrets reset, or another tool's run). Fix: start once " +
        "with '--Postgres:ResetData true' (deletes the local data), or set Parameters:postgres-password to the password the " +
        "directory was created with ('dotnet user-secrets set Parameters:postgres-password <old> --project AppHost').";

    public void Report(IServiceProvider services)
    {
        if (Interlocked.Exchange(ref _reported, 1) == 1)
        {
            return;
        }

        var message = Message(server.DataDirectory?.Path ?? server.Name);
        services.GetRequiredService<ResourceLoggerService>().GetLogger(server).LogError("{Problem}", message);
        services.GetRequiredService<ILoggerFactory>().CreateLogger("GpuDev.AppHost").LogError("{Problem}", message);
    }
}
