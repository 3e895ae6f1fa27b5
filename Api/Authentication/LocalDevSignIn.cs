using GpuDev.Api.Models.Admin;

namespace GpuDev.Api.Authentication;

/// <summary>
/// Production's <c>LOCAL_DEV_USER</c>: when set, <c>POST /v1/auth/aws-login</c> skips AWS verification and signs
/// everyone in as this one user. It is honoured in the Development environment only, so a deployment cannot
/// switch sign-in without AWS on by setting a variable (the API refuses to start instead).
/// </summary>
public sealed class LocalDevSignIn(string? username)
{
    /// <summary>Production's variable name; also readable as the configuration key of the same name.</summary>
    public const string ConfigurationKey = "LOCAL_DEV_USER";

    /// <summary>The account production's local sign-in reports for the user (no real AWS account).</summary>
    public const string LocalAccount = "000000000000";

    /// <summary>The local user, or null when local sign-in is off.</summary>
    public string? Username { get; } = string.IsNullOrWhiteSpace(username) ? null : username.Trim();

    public string Arn => $"arn:aws:sts::{LocalAccount}:assumed-role/LocalDev/{Username}";

    /// <summary>Why the setting cannot be used in this host, or null when it can.</summary>
    public string? Problem(IHostEnvironment environment) => Username switch
    {
        null => null,
        _ when !environment.IsDevelopment() =>
            $"{ConfigurationKey} is set, but the environment is '{environment.EnvironmentName}': local sign-in skips AWS verification and is allowed in Development only. Unset {ConfigurationKey}, or run with ASPNETCORE_ENVIRONMENT=Development on a developer machine.",
        _ when !Usernames.IsValid(Username) => $"{ConfigurationKey} '{Username}' is not a valid username: {Usernames.PatternMessage}",
        _ => null,
    };
}
