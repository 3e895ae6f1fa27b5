using System.Text.Json.Serialization;
using GpuDev.Database.Json;

namespace GpuDev.Api.Models.Keys;

/// <summary>Production's rotate (and the admin key) response: the only time the key itself is shown.</summary>
public sealed record ApiKeyResponse(
    string ApiKey, string KeyPrefix, int UserId, string Username,
    [property: JsonConverter(typeof(PydanticDateTimeConverter))] DateTime ExpiresAt,
    int TtlHours);
