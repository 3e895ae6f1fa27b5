using System.Security.Claims;
using GpuDev.Api.Authentication;
using GpuDev.Api.Models.Keys;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.Api.Apis;

public static class KeysApi
{
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/keys").WithTags("API keys").RequireAuthorization(AuthorizationPolicies.ApiKey);
        api.MapPost("/rotate", RotateAsync).WithName("RotateApiKey").WithSummary("A new key with a fresh TTL; as in production, the calling key stays valid until it expires.");
        return app;
    }

    public static async Task<Ok<ApiKeyResponse>> RotateAsync(
        ClaimsPrincipal user, NpgsqlDataSource dataSource, IOptions<ApiKeyOptions> keyOptions, CancellationToken cancellationToken)
    {
        var ttlHours = keyOptions.Value.DefaultTtlHours;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var issued = await ApiKeyStore.IssueAsync(connection, transaction, user.ApiUserId(), ttlHours, "Manually rotated key", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new ApiKeyResponse(issued.ApiKey, issued.KeyPrefix, user.ApiUserId(), user.Username(), issued.ExpiresAt, ttlHours));
    }
}
