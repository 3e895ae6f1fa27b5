using System.Text.Json.Serialization;
using GpuDev.Api.Apis;
using GpuDev.Api.Models.Admin;
using GpuDev.Api.Models.Auth;
using GpuDev.Api.Models.Cluster;
using GpuDev.Api.Models.Disks;
using GpuDev.Api.Models.Jobs;
using GpuDev.Api.Models.Keys;

namespace GpuDev.Api.Models;

/// <summary>
/// Every body the API reads or writes, with its JSON contract generated at compile time. The published API is
/// Native AOT, where no serialiser can be built by reflection; the API's JSON options use this context alone
/// (no reflection fallback) in every build, so a body type missing here fails in the tests, not in a deployment.
/// Field names and formats come from the options (snake_case, production's timestamps) and the records' attributes.
/// </summary>
[JsonSerializable(typeof(ServiceInfo))]
[JsonSerializable(typeof(AwsLoginRequest))]
[JsonSerializable(typeof(AwsLoginResponse))]
[JsonSerializable(typeof(ValidationIssues))]
[JsonSerializable(typeof(ApiKeyResponse))]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(RevokeKeyResponse))]
[JsonSerializable(typeof(QueueMetricsResponse))]
[JsonSerializable(typeof(SubmitJobRequest))]
[JsonSerializable(typeof(SubmitJobResponse))]
[JsonSerializable(typeof(ExtendJobRequest))]
[JsonSerializable(typeof(AddJobUserRequest))]
[JsonSerializable(typeof(JobResponse))]
[JsonSerializable(typeof(JobListResponse))]
[JsonSerializable(typeof(JobActionResponse))]
[JsonSerializable(typeof(CreateDiskRequest))]
[JsonSerializable(typeof(RenameDiskRequest))]
[JsonSerializable(typeof(RenameDiskResponse))]
[JsonSerializable(typeof(DiskResponse))]
[JsonSerializable(typeof(DiskListResponse))]
[JsonSerializable(typeof(DiskOperationResponse))]
[JsonSerializable(typeof(DiskOperationStatusResponse))]
[JsonSerializable(typeof(DiskContentResponse))]
[JsonSerializable(typeof(GpuTypeList))]
[JsonSerializable(typeof(GpuAvailabilityResponse))]
[JsonSerializable(typeof(ClusterStatusResponse))]
// /health's body.
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
