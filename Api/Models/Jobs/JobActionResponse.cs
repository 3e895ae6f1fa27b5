namespace GpuDev.Api.Models.Jobs;

/// <summary>Production's answer to cancel, extend, jupyter enable/disable and add user.</summary>
public sealed record JobActionResponse(string JobId, string Action, string Status, string Message);
