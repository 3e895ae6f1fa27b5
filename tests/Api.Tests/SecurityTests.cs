using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using CliWrap;
using CliWrap.Buffered;
using GpuDev.Api.Authentication;
using GpuDev.Api.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GpuDev.Api.Tests;

/// <summary>
/// Issue 17's findings against the API (in process over real PostgreSQL), one test per finding, named after
/// it: admin surface, rate limits, text PostgreSQL cannot store, internal text in answers and logs, /health.
/// </summary>
[Collection(GpuDevEnvironmentGroup.Name)]
public sealed class SecurityTests(GpuDevEnvironmentFixture fixture) : ApiTestBase(fixture)
{
    private static readonly string[] InternalMarkers =
        ["Exception", "Npgsql", "System.", "Double", "Int32", "   at ", "invalid byte sequence", "SQLSTATE", "0x00", "Microsoft."];

    private static readonly string[] HealthWords = ["healthy", "unhealthy", "missing", "unknown"];

    // Production's /health fields.
    private static readonly string[] HealthFields = ["database", "queue", "status", "timestamp"];

    // Finding: any non-empty admin token was accepted (Admin__Token=a worked).
    [Theory]
    [InlineData("a")]
    [InlineData("0123456789abcdef0123456789abcde")]
    public async Task Admin_token_shorter_than_32_characters_stops_the_api_at_start_naming_the_setting(string token)
    {
        var (exitCode, output) = await StartApiProgramAsync("Admin__Token", token);

        Assert.True(exitCode != 0, output);
        Assert.Contains("API cannot start: Admin:Token (Admin__Token) is " + token.Length + " characters long; it must be at least 32", output, StringComparison.Ordinal);
        Assert.Contains("openssl rand -hex 32", output, StringComparison.Ordinal);
        // The settings are checked first: no connection attempt, no exception trace.
        Assert.DoesNotContain("Cannot connect", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    // The settings' attribute checks are generated at compile time (the published API is Native AOT); each still
    // stops the API in one line naming the setting, also the ones read while the host is built.
    [Theory]
    [InlineData("RequestLimits__MaxBodyBytes", "1", "RequestLimitsOptions.MaxBodyBytes must be between 1024 and")]
    [InlineData("Database__MaxAutoPrepare", "5000", "DatabaseClientOptions.MaxAutoPrepare must be between 0 and 1000")]
    [InlineData("RateLimiting__FailedAuthentication__WindowSeconds", "0", "RateLimitingOptions.FailedAuthentication.WindowSeconds must be between 1 and")]
    public async Task A_setting_out_of_its_range_stops_the_api_at_start_naming_the_setting(string variable, string value, string message)
    {
        var (exitCode, output) = await StartApiProgramAsync(variable, value);

        Assert.True(exitCode != 0, output);
        Assert.Contains("API cannot start: ", output, StringComparison.Ordinal);
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Cannot connect", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts the API's built program as a deployment would (Production, a valid admin token, a database that is not
    /// there) with one setting changed, and returns how it exited and what it printed.
    /// </summary>
    private async Task<(int ExitCode, string Output)> StartApiProgramAsync(string variable, string value)
    {
        var configuration = typeof(SecurityTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var apiDll = Path.Combine(RepositoryFiles.Root, "Api", "bin", configuration, "net10.0", "GpuDev.Api.dll");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        var result = await Cli.Wrap("dotnet").WithArguments([apiDll])
            .WithEnvironmentVariables(new Dictionary<string, string?>
            {
                ["Admin__Token"] = Environment.AdminToken,
                ["ConnectionStrings__gpudev"] = "Host=127.0.0.1;Port=1;Database=gpudev;Username=nobody;Password=nothing",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                [variable] = value,
            })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token);
        return (result.ExitCode, result.StandardOutput + result.StandardError);
    }

    // Finding: /v1/admin/* existed on the public port even without a token.
    [Fact]
    public async Task Admin_routes_do_not_exist_without_an_admin_token()
    {
        await using var api = Environment.StartVariant(new Dictionary<string, string?> { ["Admin:Token"] = null });
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Add(AdminTokenAuthenticationHandler.HeaderName, Environment.AdminToken);

        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/v1/admin/users", new { username = UniqueName("nobody") })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/admin/queues")).StatusCode);
        Assert.DoesNotContain("/v1/admin", await client.GetStringAsync("/openapi/v1.json"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    // Finding: nothing limited failed attempts (300 wrong tokens in 10 s, no 429). Default settings: on, 10 per minute.
    [Fact]
    public async Task Wrong_api_keys_from_one_address_get_429_with_retry_after_once_the_default_budget_is_spent()
    {
        var (_, validKey, _, _) = await NewUserAsync("limited");
        await using var api = Environment.StartVariant(new Dictionary<string, string?>());
        using var client = api.CreateClient();

        for (var attempt = 1; attempt <= 10; attempt++)
        {
            await AssertProblemAsync(await GetWithKeyAsync(client, ApiKeySecret.Generate()), HttpStatusCode.Unauthorized);
        }

        var refused = await GetWithKeyAsync(client, ApiKeySecret.Generate());
        var detail = await AssertProblemAsync(refused, (HttpStatusCode)429);
        Assert.Contains("too many failed authentication attempts", detail, StringComparison.Ordinal);
        AssertRetryAfterWithin(refused, 60);

        // The address is locked out, a right key included, so guessing cannot go on at the same pace...
        await AssertProblemAsync(await GetWithKeyAsync(client, validKey), (HttpStatusCode)429);
        // ...while requests without credentials are not limited.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        await AssertProblemAsync(await client.GetAsync("/v1/jobs"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Wrong_admin_tokens_get_429_once_the_configured_budget_is_spent()
    {
        await using var api = Environment.StartVariant(new Dictionary<string, string?> { ["RateLimiting:FailedAuthentication:PermitLimit"] = "3" });
        using var wrong = api.CreateClient();
        wrong.DefaultRequestHeaders.Add(AdminTokenAuthenticationHandler.HeaderName, Environment.AdminToken + "x");
        using var right = api.CreateClient();
        right.DefaultRequestHeaders.Add(AdminTokenAuthenticationHandler.HeaderName, Environment.AdminToken);

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await AssertProblemAsync(await wrong.GetAsync("/v1/admin/queues"), HttpStatusCode.Unauthorized);
        }

        var refused = await wrong.GetAsync("/v1/admin/queues");
        await AssertProblemAsync(refused, (HttpStatusCode)429);
        AssertRetryAfterWithin(refused, 60);
        await AssertProblemAsync(await right.GetAsync("/v1/admin/queues"), (HttpStatusCode)429);
    }

    [Fact]
    public async Task Admin_calls_beyond_the_configured_admin_limit_get_429_with_retry_after()
    {
        await using var api = Environment.StartVariant(new Dictionary<string, string?>
        {
            ["RateLimiting:Admin:PermitLimit"] = "3",
            ["RateLimiting:Admin:WindowSeconds"] = "120",
        });
        using var admin = api.CreateClient();
        admin.DefaultRequestHeaders.Add(AdminTokenAuthenticationHandler.HeaderName, Environment.AdminToken);

        for (var call = 1; call <= 3; call++)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/admin/queues")).StatusCode);
        }

        var refused = await admin.GetAsync("/v1/admin/queues");
        await AssertProblemAsync(refused, (HttpStatusCode)429);
        AssertRetryAfterWithin(refused, 120);
    }

    // Finding: a NUL in env_vars returned PostgreSQL's message, and the failing statement copied env_vars
    // (API keys such as WANDB_API_KEY) into the PostgreSQL log.
    [Fact]
    public async Task Nul_in_env_vars_is_400_before_any_sql_and_the_value_never_reaches_the_postgres_log()
    {
        var (_, _, client, _) = await NewUserAsync("nul");
        var secret = $"wandb-{Guid.NewGuid():N}";
        var reservationId = Guid.NewGuid().ToString();
        var json = $$$"""{"image": "pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime", "duration_hours": 4, "env_vars": {"GPU_TYPE": "t4", "RESERVATION_ID": "{{{reservationId}}}", "WANDB_API_KEY": "{{{secret}}}\u0000"}}""";

        var response = await client.PostAsync("/v1/jobs/submit", RawJson(json));

        var detail = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(@"The value at $.env_vars.WANDB_API_KEY contains a NUL character (\u0000), which PostgreSQL cannot store. Remove it (and any other control or broken characters) and send the request again.", detail);
        AssertNoInternalText(await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM reservations WHERE reservation_id = $1", reservationId));
        Assert.Contains("database system is ready to accept connections", Environment.PostgresLog, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, Environment.PostgresLog, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, string> UnstorableText() => new()
    {
        { "POST", "/v1/jobs/submit", """{"duration_hours": 4, "env_vars": {"GPU_TYPE": "t4", "KEY\u0000": "v"}}""", "The value at $.env_vars" },
        { "POST", "/v1/jobs/submit", """{"duration_hours": 4, "env_vars": {"GPU_TYPE": "t4"}, "command": "a\ud800b"}""", @"The value at $.command contains an unpaired UTF-16 surrogate" },
        { "POST", "/v1/jobs/submit", """{"duration_hours": 4, "gpu_type": "t4", "name": "n\u0000"}""", "The value at $.name contains a NUL character" },
        { "POST", "/v1/disks", """{"disk_name": "d\u0000"}""", "The value at $.disk_name contains a NUL character" },
        { "POST", "/v1/disks/some-disk/rename", """{"new_name": "\udc00"}""", "The value at $.new_name contains an unpaired UTF-16 surrogate" },
        { "POST", "/v1/auth/aws-login", """{"aws_access_key_id": "AKIA\u0000AAAAAAAAAAAAAA", "aws_secret_access_key": "0123456789012345678901234567890123456789"}""", "The value at $.aws_access_key_id contains a NUL character" },
        { "GET", "/v1/jobs?status=%00", "", "The query parameter 'status' contains a NUL character" },
        { "GET", "/v1/jobs?x%00=1", "", "A query parameter name contains a NUL character" },
    };

    // Finding: NUL and other characters PostgreSQL cannot store reached SQL from every kind of input.
    [Theory]
    [MemberData(nameof(UnstorableText))]
    public async Task Text_postgres_cannot_store_is_400_naming_where_it_is_before_any_sql(string method, string url, string body, string expected)
    {
        var (_, _, client, _) = await NewUserAsync("text");
        using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = body.Length > 0 ? RawJson(body) : null };

        var response = await client.SendAsync(request);

        var detail = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        Assert.Contains("which PostgreSQL cannot store", detail, StringComparison.Ordinal);
        AssertNoInternalText(await response.Content.ReadAsStringAsync());
    }

    // Kestrel itself refuses a NUL in the path (400 before the API runs); the API checks route values as well for other hosts.
    [Theory]
    [InlineData("/v1/jobs/abcdefgh%00")]
    [InlineData("/v1/disks/d%00/operations/op")]
    public async Task Nul_in_a_path_is_400_before_any_sql(string url)
    {
        var (_, _, client, _) = await NewUserAsync("path");

        var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertNoInternalText(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Admin_body_with_nul_is_400_before_any_sql()
    {
        using var admin = AdminClient();
        var username = UniqueName("nul");

        var response = await admin.PostAsync("/v1/admin/users", RawJson($$"""{"username": "{{username}}", "email": "a\u0000@example.com"}"""));

        Assert.Contains("The value at $.email contains a NUL character", await AssertProblemAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM api_users WHERE username = $1", username));
    }

    // Finding: duration_hours: 1e400 returned a .NET type message.
    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("1e-400")]
    public async Task Duration_hours_out_of_double_range_is_400_without_dotnet_type_text(string number)
    {
        var (_, _, client, _) = await NewUserAsync("huge");

        var response = await client.PostAsync("/v1/jobs/submit", RawJson($$$"""{"duration_hours": {{{number}}}, "env_vars": {"GPU_TYPE": "t4"}}"""));

        var detail = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("duration_hours", detail, StringComparison.Ordinal);
        AssertNoInternalText(await response.Content.ReadAsStringAsync());
    }

    // Finding: the unauthenticated /health returned database error text with host and port.
    [Fact]
    public async Task Health_without_credentials_reports_only_status_words_in_productions_fields()
    {
        var health = await JsonAsync(await Anonymous.GetAsync("/health"));

        Assert.Equal(HealthFields, health.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var field in new[] { "status", "database", "queue" })
        {
            Assert.Contains(health.GetProperty(field).GetString(), HealthWords);
        }
    }

    [Fact]
    public async Task Health_of_a_failing_database_reports_only_status_words_without_host_port_or_error_text()
    {
        var failure = new HealthReportEntry(HealthStatus.Unhealthy, "PostgreSQL does not answer.", TimeSpan.Zero,
            new InvalidOperationException("Failed to connect to 10.1.2.3:5432: Connection refused"), null);
        var report = new HealthReport(
            new Dictionary<string, HealthReportEntry> { [HealthReportWriter.DatabaseCheck] = failure, [HealthReportWriter.QueueCheck] = failure },
            TimeSpan.Zero);
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();

        await HealthReportWriter.WriteAsync(context, report);

        context.Response.Body.Position = 0;
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();
        var health = JsonDocument.Parse(text).RootElement;
        Assert.Equal("unhealthy", health.GetProperty("status").GetString());
        Assert.Equal("unhealthy", health.GetProperty("database").GetString());
        Assert.Equal("unknown", health.GetProperty("queue").GetString());
        Assert.DoesNotContain("10.1.2.3", text, StringComparison.Ordinal);
        Assert.DoesNotContain("5432", text, StringComparison.Ordinal);
        Assert.DoesNotContain("answer", text, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> GetWithKeyAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/jobs");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client.SendAsync(request);
    }

    private static void AssertRetryAfterWithin(HttpResponseMessage response, int maxSeconds)
    {
        var seconds = response.Headers.RetryAfter?.Delta?.TotalSeconds;
        Assert.True(seconds is > 0 && seconds <= maxSeconds, $"Retry-After: {response.Headers.RetryAfter}");
    }

    private static void AssertNoInternalText(string body)
    {
        foreach (var marker in InternalMarkers)
        {
            Assert.DoesNotContain(marker, body, StringComparison.Ordinal);
        }
    }
}
