using System.Globalization;

namespace GpuDev.Hosting.PostgreSQL;

/// <summary>
/// The command line that runs the server in the foreground: on 127.0.0.1 only, on the given port,
/// with no Unix socket (so no shared socket directory such as /var/run/postgresql is needed).
/// The AppHost hands it to Aspire as an executable; tests start it directly.
/// </summary>
public static class PostgresServerCommand
{
    public static IReadOnlyList<string> ServerArguments(string dataDirectory) =>
    [
        "-D", dataDirectory,
        "-c", "listen_addresses=127.0.0.1",
        "-c", "unix_socket_directories=",
        // Enough for the API's pool, the worker, the dashboard's health checks and a benchmark.
        "-c", "max_connections=200",
    ];

    public static (string FileName, IReadOnlyList<string> Arguments) Build(
        PostgresInstallation installation, ServerOsUser osUser, string dataDirectory, int port) =>
        osUser.Wrap(installation.Tool("postgres"), [.. ServerArguments(dataDirectory), "-p", port.ToString(CultureInfo.InvariantCulture)]);
}
