using GpuDev.Hosting.PostgreSQL;

namespace GpuDev.Hosting.Tests;

/// <summary>The initdb password file: owner-only from its creation, never written through something already at its path.</summary>
public sealed class SecretFileTests : IDisposable
{
    private readonly string _directory = TestDirectories.Create("secret-file");

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Initdb_password_file_is_created_owner_only_with_no_chmod_after_writing()
    {
        var path = Path.Combine(_directory, "pw");

        await SecretFile.WriteNewAsync(path, "s3cret", CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("s3cret", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Initdb_password_file_is_not_written_through_a_link_planted_at_its_path()
    {
        var target = Path.Combine(_directory, "victim");
        await File.WriteAllTextAsync(target, "untouched");
        var path = Path.Combine(_directory, "pw");
        File.CreateSymbolicLink(path, target);

        await Assert.ThrowsAsync<IOException>(() => SecretFile.WriteNewAsync(path, "s3cret", CancellationToken.None));

        Assert.Equal("untouched", await File.ReadAllTextAsync(target));
    }

    public void Dispose() => TestDirectories.Delete(_directory);
}
