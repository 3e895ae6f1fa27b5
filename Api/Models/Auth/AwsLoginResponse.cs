using System.Text.Json.Serialization;
using GpuDev.Database.Json;

namespace GpuDev.Api.Models.Auth;

public sealed record AwsLoginResponse(
    string ApiKey, string KeyPrefix, int UserId, string Username, string AwsArn,
    [property: JsonConverter(typeof(PydanticDateTimeConverter))] DateTime ExpiresAt,
    int TtlHours);
