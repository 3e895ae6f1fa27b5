using Microsoft.AspNetCore.Authorization;

namespace GpuDev.Api.Authentication;

/// <summary>The two ways in: a user's API key, or the local administrator's token.</summary>
public static class AuthorizationPolicies
{
    public const string ApiKey = "ApiKey";
    public const string Admin = "Admin";

    public static AuthorizationBuilder AddGpuDevPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(ApiKey, policy => policy
            .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireClaim(GpuDevClaims.KeyState, KeyStates.Valid))
        .AddPolicy(Admin, policy => policy
            .AddAuthenticationSchemes(AdminTokenAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireRole(GpuDevClaims.AdminRole));
}
