namespace GpuDev.Api.Models.Auth;

/// <summary>Production's aws-login body. Bounds are checked by <see cref="AwsLoginValidation"/> to answer in production's 422 shape.</summary>
public sealed record AwsLoginRequest
{
    public string? AwsAccessKeyId { get; init; }
    public string? AwsSecretAccessKey { get; init; }
    public string? AwsSessionToken { get; init; }
}
