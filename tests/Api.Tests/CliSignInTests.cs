using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace GpuDev.Api.Tests;

/// <summary>
/// Production's CLI signs in without AWS by posting placeholder credentials to aws-login; the stack under test
/// runs with LOCAL_DEV_USER (the AppHost sets it in run mode), as `dotnet run` does.
/// </summary>
[Collection(GpuDevEnvironmentGroup.Name)]
public sealed partial class CliSignInTests(GpuDevEnvironmentFixture fixture) : ApiTestBase(fixture)
{
    // What production's CLI sends when it has no AWS session (AWS's documented example credentials).
    private const string PlaceholderKeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string PlaceholderSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$")]
    private static partial Regex PydanticUtc();

    [Fact]
    public async Task The_clis_placeholder_credentials_get_a_working_expiring_key_for_the_local_user()
    {
        var response = await Anonymous.PostAsJsonAsync("/v1/auth/aws-login", new { aws_access_key_id = PlaceholderKeyId, aws_secret_access_key = PlaceholderSecret });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var login = await JsonAsync(response);
        Assert.Equal("localdev", login.GetProperty("username").GetString());
        Assert.Equal("arn:aws:sts::000000000000:assumed-role/LocalDev/localdev", login.GetProperty("aws_arn").GetString());
        Assert.Equal(2, login.GetProperty("ttl_hours").GetInt32());
        Assert.True(login.GetProperty("user_id").GetInt32() > 0);
        var apiKey = login.GetProperty("api_key").GetString()!;
        Assert.Equal(apiKey[..8], login.GetProperty("key_prefix").GetString());
        var expiresAt = login.GetProperty("expires_at").GetString()!;
        Assert.Matches(PydanticUtc(), expiresAt);
        Assert.InRange(DateTimeOffset.Parse(expiresAt, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow, TimeSpan.FromHours(1.9), TimeSpan.FromHours(2.1));

        using var client = KeyClient(apiKey);
        var jobs = await client.GetAsync("/v1/jobs?limit=500");
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
    }

    [Fact]
    public async Task Every_sign_in_issues_another_key_and_earlier_keys_stay_valid()
    {
        var body = new { aws_access_key_id = PlaceholderKeyId, aws_secret_access_key = PlaceholderSecret };
        var first = (await JsonAsync(await Anonymous.PostAsJsonAsync("/v1/auth/aws-login", body))).GetProperty("api_key").GetString()!;
        var second = (await JsonAsync(await Anonymous.PostAsJsonAsync("/v1/auth/aws-login", body))).GetProperty("api_key").GetString()!;

        Assert.NotEqual(first, second);
        using var firstClient = KeyClient(first);
        Assert.Equal(HttpStatusCode.OK, (await firstClient.GetAsync("/v1/disks")).StatusCode);
    }

    [Theory]
    [InlineData("AKIASHORT", PlaceholderSecret, null, "aws_access_key_id", "string_too_short")]
    [InlineData(PlaceholderKeyId, "too-short-secret", null, "aws_secret_access_key", "string_too_short")]
    [InlineData(PlaceholderKeyId, PlaceholderSecret, "short-token", "aws_session_token", "string_too_short")]
    [InlineData(null, PlaceholderSecret, null, "aws_access_key_id", "missing")]
    [InlineData(PlaceholderKeyId, null, null, "aws_secret_access_key", "missing")]
    public async Task Credentials_outside_productions_bounds_get_422_naming_the_field_without_echoing_it(
        string? keyId, string? secret, string? token, string field, string type)
    {
        var response = await Anonymous.PostAsJsonAsync("/v1/auth/aws-login", new { aws_access_key_id = keyId, aws_secret_access_key = secret, aws_session_token = token });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var issue = Assert.Single((await JsonAsync(response)).GetProperty("detail").EnumerateArray());
        Assert.Equal(type, issue.GetProperty("type").GetString());
        Assert.Equal(new[] { "body", field }, issue.GetProperty("loc").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.False(string.IsNullOrEmpty(issue.GetProperty("msg").GetString()));
        foreach (var submitted in new[] { keyId, secret, token }.OfType<string>())
        {
            Assert.DoesNotContain(submitted, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(129, 40, "aws_access_key_id", "string_too_long")]
    [InlineData(20, 129, "aws_secret_access_key", "string_too_long")]
    public async Task Over_long_credentials_get_422(int keyLength, int secretLength, string field, string type)
    {
        var response = await Anonymous.PostAsJsonAsync("/v1/auth/aws-login", new { aws_access_key_id = new string('A', keyLength), aws_secret_access_key = new string('s', secretLength) });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var issue = Assert.Single((await JsonAsync(response)).GetProperty("detail").EnumerateArray());
        Assert.Equal(type, issue.GetProperty("type").GetString());
        Assert.Equal(field, issue.GetProperty("loc")[1].GetString());
    }

    [Fact]
    public async Task A_session_token_within_bounds_is_accepted()
    {
        var response = await Anonymous.PostAsJsonAsync("/v1/auth/aws-login",
            new { aws_access_key_id = PlaceholderKeyId, aws_secret_access_key = PlaceholderSecret, aws_session_token = new string('t', 100) });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
