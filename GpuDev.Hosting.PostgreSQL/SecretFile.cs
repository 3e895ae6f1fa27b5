namespace GpuDev.Hosting.PostgreSQL;

/// <summary>Files holding a secret (a password for initdb): readable by their owner only from the moment they exist.</summary>
public static class SecretFile
{
    /// <summary>Owner read and write (0600).</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Creates <paramref name="path"/> with mode 0600 in the same call that creates it (no chmod afterwards,
    /// so no moment in which another user could open it) and writes <paramref name="content"/>. The file
    /// must not exist yet: an existing file, or a link planted at the path, is an error rather than followed.
    /// </summary>
    public static async Task WriteNewAsync(string path, string content, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = Mode;
        }

        await using var stream = new FileStream(path, options);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(content.AsMemory(), cancellationToken);
    }
}
