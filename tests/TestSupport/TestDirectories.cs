namespace GpuDev.Tests.Support;

/// <summary>
/// Scratch directories for tests, under the system temp directory (which the unprivileged
/// <c>postgres</c> OS user can reach when the tests run as root).
/// </summary>
public static class TestDirectories
{
    public static string Create(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "gpudev-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            // Other users need to traverse into it (the server's data directory lives below).
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
            File.SetUnixFileMode(Path.GetDirectoryName(path)!, (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit);
        }

        return path;
    }

    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover scratch directory must not fail a test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
