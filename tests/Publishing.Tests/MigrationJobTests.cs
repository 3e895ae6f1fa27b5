using System.Security.Cryptography;
using System.Text;
using GpuDev.Hosting.Kubernetes;

namespace GpuDev.Publishing.Tests;

public sealed class MigrationJobTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    public static TheoryData<string> SqlFiles() => new(RepositoryFiles.SqlFiles());

    [Fact]
    public void Job_name_carries_productions_hash_scheme_over_schema_and_fixtures()
    {
        var output = PublishedOutput.Publish(_scratch);

        Assert.Equal(ExpectedHash(RepositoryFiles.DatabaseDirectory), output.Hash);
        Assert.Matches($"^db-migration-{output.Hash}-[0-9a-f]{{8}}$", output.Job.Metadata.Name);
    }

    [Theory]
    [MemberData(nameof(SqlFiles))]
    public void Editing_any_schema_or_fixture_file_gives_a_new_job(string file)
    {
        var original = PublishedOutput.Publish(_scratch);
        var database = _scratch.CopyOfDatabase();
        File.AppendAllText(Path.Combine(database, file), "\n-- edited\n");

        var edited = PublishedOutput.Publish(_scratch, databaseDirectory: database);

        Assert.NotEqual(original.Job.Metadata.Name, edited.Job.Metadata.Name);
        Assert.Equal(ExpectedHash(database), edited.Hash);
    }

    [Fact]
    public void The_same_files_elsewhere_give_the_same_job()
    {
        var original = PublishedOutput.Publish(_scratch);
        var database = _scratch.CopyOfDatabase();
        File.SetLastWriteTimeUtc(Path.Combine(database, "schema", "001_users_and_keys.sql"), DateTime.UtcNow.AddDays(1));

        var copy = PublishedOutput.Publish(_scratch, databaseDirectory: database);

        Assert.Equal(original.Job.Metadata.Name, copy.Job.Metadata.Name);
    }

    [Fact]
    public void Config_maps_hold_the_repositorys_sql_files_byte_for_byte()
    {
        var output = PublishedOutput.Publish(_scratch);

        foreach (var (kind, configMap) in new[] { ("schema", "database-schema"), ("fixtures", "database-fixtures") })
        {
            var expected = Directory.GetFiles(Path.Combine(RepositoryFiles.DatabaseDirectory, kind), "*.sql")
                .ToDictionary(path => Path.GetFileName(path), File.ReadAllBytes, StringComparer.Ordinal);
            var actual = Contents(output.ConfigMap(configMap));
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
            Assert.All(expected, e => Assert.True(e.Value.AsSpan().SequenceEqual(actual[e.Key]), $"{configMap}/{e.Key} differs from database/{kind}/{e.Key}"));
        }
    }

    [Fact]
    public void Config_maps_keep_awkward_bytes_exactly()
    {
        var database = _scratch.CopyOfDatabase();
        var awkward = new Dictionary<string, byte[]>
        {
            ["005_crlf.sql"] = Encoding.UTF8.GetBytes("SELECT 1;\r\n-- trailing spaces   \r\n\tSELECT 'a: b # c';\r\n"),
            ["006_no_final_newline.sql"] = Encoding.UTF8.GetBytes("  -- leading spaces\nSELECT 'é ü ✓';"),
            ["007_bom.sql"] = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("SELECT 2;\n\n\n")],
            ["008_latin1.sql"] = [.. Encoding.ASCII.GetBytes("-- caf"), 0xE9, (byte)'\n'],
        };
        foreach (var (name, content) in awkward)
        {
            File.WriteAllBytes(Path.Combine(database, "schema", name), content);
        }

        var output = PublishedOutput.Publish(_scratch, databaseDirectory: database);

        var actual = Contents(output.ConfigMap("database-schema"));
        Assert.All(awkward, e => Assert.True(e.Value.AsSpan().SequenceEqual(actual[e.Key]), $"{e.Key} did not survive"));
    }

    [Fact]
    public void Job_waits_for_postgres_then_runs_the_worker_on_the_mounted_files_with_productions_limits()
    {
        var output = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { WorkerImage = "registry.example/gpudev/worker:2.1.0" });
        var job = output.Job;
        var pod = job.Spec.Template.Spec;

        Assert.Equal(3, job.Spec.BackoffLimit);
        Assert.Equal(3600, job.Spec.TtlSecondsAfterFinished);
        Assert.Equal("OnFailure", pod.RestartPolicy);

        var wait = pod.InitContainers[0];
        Assert.Equal("ghcr.io/pgmq/pg18-pgmq:v1.8.1", wait.Image);
        Assert.Contains("pg_isready -q -h postgres-primary -p 5432", string.Join(' ', wait.Command), StringComparison.Ordinal);

        var worker = Assert.Single(pod.Containers);
        Assert.Equal("registry.example/gpudev/worker:2.1.0", worker.Image);
        Assert.Equal("/migrations", worker.Env.Single(e => e.Name == "Migrations__Path").Value);
        var mounts = worker.VolumeMounts.Where(m => m.MountPath.StartsWith("/migrations", StringComparison.Ordinal))
            .ToDictionary(m => m.MountPath, m => pod.Volumes.Single(v => v.Name == m.Name).ConfigMap.Name);
        Assert.Equal("database-schema", mounts["/migrations/schema"]);
        Assert.Equal("database-fixtures", mounts["/migrations/fixtures"]);
        Assert.Contains(worker.Env, e => e.Name == "ConnectionStrings__gpudev");

        Assert.Equal("100m", worker.Resources.Requests["cpu"].ToString());
        Assert.Equal("128Mi", worker.Resources.Requests["memory"].ToString());
        Assert.Equal("500m", worker.Resources.Limits["cpu"].ToString());
        Assert.Equal("512Mi", worker.Resources.Limits["memory"].ToString());
    }

    private static Dictionary<string, byte[]> Contents(k8s.Models.V1ConfigMap configMap)
    {
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, text) in configMap.Data ?? new Dictionary<string, string>())
        {
            contents[key] = Encoding.UTF8.GetBytes(text);
        }

        foreach (var (key, bytes) in configMap.BinaryData ?? new Dictionary<string, byte[]>())
        {
            contents[key] = bytes;
        }

        return contents;
    }

    // Written out independently of the worker's MigrationHash, to pin the scheme itself: md5 of each
    // *.sql file, schema then fixtures, ordinal by name; md5 of the concatenated hex; first 8 characters.
#pragma warning disable CA5351 // md5 is production's naming scheme, not a security control.
    private static string ExpectedHash(string database)
    {
        var digests = new StringBuilder();
        foreach (var kind in new[] { "schema", "fixtures" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(database, kind), "*.sql").Order(StringComparer.Ordinal))
            {
                digests.Append(Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(file))));
            }
        }

        return Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(digests.ToString())))[..8];
    }
#pragma warning restore CA5351

    public void Dispose() => _scratch.Dispose();
}
