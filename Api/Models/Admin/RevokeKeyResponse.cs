namespace GpuDev.Api.Models.Admin;

public sealed record RevokeKeyResponse(string KeyPrefix, int RevokedKeys, string Message);
