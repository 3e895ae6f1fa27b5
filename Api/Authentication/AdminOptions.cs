using GpuDev.Database;
using Microsoft.Extensions.Options;

namespace GpuDev.Api.Authentication;

/// <summary>
/// The <c>Admin</c> configuration section. The AppHost sets <c>Admin__Token</c> from its secret
/// parameter <c>admin-token</c>. Without a token the <c>/v1/admin/*</c> routes are not mapped at all;
/// a token shorter than <see cref="AdminTokenRules.MinimumLength"/> stops the API at start.
/// </summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    public string? Token { get; set; }

    /// <summary>True when the admin routes exist: a token is configured.</summary>
    public bool RoutesEnabled => !string.IsNullOrEmpty(Token);
}

/// <summary>The same rule the Kubernetes publisher applies (<see cref="AdminTokenRules"/>), naming this API's setting.</summary>
public sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options) =>
        AdminTokenRules.Problem(options.Token, $"{AdminOptions.SectionName}:{nameof(AdminOptions.Token)} ({SettingNames.AdminToken})") is { } problem
            ? ValidateOptionsResult.Fail(problem)
            : ValidateOptionsResult.Success;
}
