namespace GpuDev.Api.Authentication;

/// <summary>
/// The <c>Admin</c> configuration section. The AppHost sets <c>Admin__Token</c> from its secret
/// parameter <c>admin-token</c>; without a token every admin endpoint answers 401.
/// </summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    public string? Token { get; set; }
}
