namespace GpuDev.Api.Models.Keys;

/// <summary>Production's login (and rotate) response: the only time the key itself is shown.</summary>
public sealed record ApiKeyResponse(string ApiKey, string KeyPrefix, int UserId, string Username, DateTime ExpiresAt, int TtlHours);
