using System.Text;
using GpuDev.Hosting.Kubernetes;

namespace GpuDev.Publishing.Tests;

/// <summary>
/// The YAML is read by kubectl (go-yaml), not only by KubernetesClient (YamlDotNet): strings that a YAML 1.1
/// or 1.2 reader would take for numbers stay strings, and SQL that kubectl's parser rejects is not written as text.
/// Where kubectl is installed, <c>kubectl kustomize</c> reads every output back.
/// </summary>
public sealed class KubectlReadableYamlTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    [Theory]
    [InlineData("0x1A")]
    [InlineData("+1")]
    [InlineData("0o17")]
    [InlineData(".inf")]
    [InlineData("1_000")]
    [InlineData("12:30")]
    [InlineData("1e3")]
    [InlineData("yes")]
    [InlineData("Off")]
    [InlineData("null")]
    [InlineData("2026-12-01")]
    public void A_secret_value_that_looks_like_another_type_is_written_quoted_and_read_back_as_the_same_string(string value)
    {
        var output = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { PostgresPassword = value });

        var file = Encoding.UTF8.GetString(output.Files["02-secret-postgres-credentials.yaml"]);
        Assert.Contains($"POSTGRES_PASSWORD: \"{value}\"\n", file, StringComparison.Ordinal);
        Assert.Equal(value, output.Secret.StringData["POSTGRES_PASSWORD"]);
        var kustomized = Kustomize(output.Directory);
        if (kustomized is not null)
        {
            Assert.Contains($"POSTGRES_PASSWORD: \"{value}\"", kustomized, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Plain_words_stay_unquoted_so_the_files_stay_readable()
    {
        var output = PublishedOutput.Publish(_scratch);

        var file = Encoding.UTF8.GetString(output.Files["02-secret-postgres-credentials.yaml"]);
        Assert.Contains("POSTGRES_USER: gpudev\n", file, StringComparison.Ordinal);
        Assert.Contains("kind: Secret\n", file, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[]> SqlKubectlRejectsAsText() => new()
    {
        { "first line starts with a TAB", Encoding.UTF8.GetBytes("\tSELECT 1;\nSELECT 2;\n") },
        { "form feed", Encoding.UTF8.GetBytes("SELECT 1;\n\f\nSELECT 2;\n") },
        { "BEL", Encoding.UTF8.GetBytes("SELECT 1; -- \a\nSELECT 2;\n") },
        { "CRLF", Encoding.UTF8.GetBytes("SELECT 1;\r\nSELECT 2;\r\n") },
        { "byte-order mark", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("SELECT 1;\nSELECT 2;\n")] },
        { "line separator", Encoding.UTF8.GetBytes("SELECT 1; -- \u2028\nSELECT 2;\n") },
    };

    [Theory]
    [MemberData(nameof(SqlKubectlRejectsAsText))]
    public void Sql_that_kubectl_would_reject_as_text_goes_to_binary_data_byte_for_byte(string what, byte[] content)
    {
        var database = _scratch.CopyOfDatabase();
        File.WriteAllBytes(Path.Combine(database, "schema", "099_awkward.sql"), content);

        var output = PublishedOutput.Publish(_scratch, databaseDirectory: database);

        var configMap = output.ConfigMap("database-schema");
        Assert.False(configMap.Data.ContainsKey("099_awkward.sql"), what);
        Assert.Equal(content, configMap.BinaryData["099_awkward.sql"]);
        Assert.Contains("001_users_and_keys.sql", configMap.Data.Keys);
        AssertKubectlReads(output.Directory);
    }

    [Fact]
    public void Sql_with_tabs_inside_and_trailing_spaces_stays_readable_text()
    {
        var database = _scratch.CopyOfDatabase();
        var sql = "CREATE TABLE t (\n\tid int,   \n\tname text\n);\n\n\n";
        File.WriteAllText(Path.Combine(database, "schema", "099_tabs.sql"), sql);

        var output = PublishedOutput.Publish(_scratch, databaseDirectory: database);

        Assert.Equal(sql, output.ConfigMap("database-schema").Data["099_tabs.sql"]);
        AssertKubectlReads(output.Directory);
    }

    [Fact]
    public void Kubectl_reads_the_default_output()
    {
        AssertKubectlReads(PublishedOutput.Publish(_scratch).Directory);
    }

    private static void AssertKubectlReads(string directory)
    {
        // Without kubectl the byte-level checks above still hold; with it, its own parser has the last word.
        Kustomize(directory);
    }

    private static string? Kustomize(string directory)
    {
        if (ExternalTool.Find("kubectl") is not { } kubectl)
        {
            return null;
        }

        var (exitCode, output) = ExternalTool.Run(kubectl, "kustomize", directory);
        Assert.True(exitCode == 0, $"kubectl kustomize rejected the output: {output}");
        return output;
    }

    public void Dispose() => _scratch.Dispose();
}
