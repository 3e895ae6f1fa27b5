using GpuDev.Api.Authentication;
using GpuDev.Api.Infrastructure;
using GpuDev.Api.Models.Admin;
using GpuDev.Api.Models.Keys;
using GpuDev.Api.RateLimiting;
using GpuDev.Database;
using GpuDev.Database.Queues;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.Api.Apis;

/// <summary>
/// The local stand-in for production's AWS login: users and keys are managed with the admin token
/// (X-Admin-Token). Also the queue metrics an operator looks at.
/// </summary>
public static class AdminApi
{
    /// <summary>The columns <see cref="ReadUser"/> reads, in its order.</summary>
    private const string UserColumns = "user_id, username, email, created_at, is_active";

    /// <summary>Maps the admin routes only when an admin token is configured: otherwise they do not exist (404).</summary>
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<AdminOptions>>().Value.RoutesEnabled)
        {
            return app;
        }

        var api = app.MapGroup("/v1/admin").WithTags("Admin").RequireAuthorization(AuthorizationPolicies.Admin)
            .RequireRateLimiting(GpuDevRateLimiting.AdminPolicy);
        api.MapPost("/users", CreateUserAsync).WithName("CreateUser").WithSummary("Create a user (local stand-in for the first AWS login).");
        api.MapPost("/users/{username}/keys", CreateKeyAsync).WithName("CreateApiKey").WithSummary("Issue an API key for a user; returns production's login response.");
        api.MapPost("/users/{username}/disable", DisableUserAsync).WithName("DisableUser").WithSummary("Disable a user: all their keys answer 403.");
        api.MapDelete("/keys/{key_prefix}", RevokeKeyAsync).WithName("RevokeApiKey").WithSummary("Revoke the active keys with this 8-character prefix.");
        api.MapGet("/queues", GetQueueMetricsAsync).WithName("GetQueueMetrics").WithSummary("PGMQ metrics for gpu_reservations and disk_operations.");
        return app;
    }

    public static async Task<Results<Created<UserResponse>, ProblemHttpResult>> CreateUserAsync(
        CreateUserRequest request, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            INSERT INTO api_users (username, email) VALUES (@username, @email)
            ON CONFLICT (username) DO NOTHING
            RETURNING {UserColumns}
            """);
        var created = await command.With("username", request.Username).With("email", request.Email)
            .QuerySingleOrDefaultAsync(ReadUser, cancellationToken);
        return created is null
            ? Problems.Conflict($"User '{request.Username}' already exists. Issue them a key with POST /v1/admin/users/{request.Username}/keys.")
            : TypedResults.Created($"/v1/admin/users/{created.Username}", created);
    }

    public static async Task<Results<Ok<ApiKeyResponse>, ProblemHttpResult>> CreateKeyAsync(
        string username, [FromBody] CreateKeyRequest? request, NpgsqlDataSource dataSource, IOptions<ApiKeyOptions> keyOptions, CancellationToken cancellationToken)
    {
        if (!Usernames.IsValid(username))
        {
            return Problems.BadRequest(Usernames.PatternMessage);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var lookup = new NpgsqlCommand($"SELECT {UserColumns} FROM api_users WHERE username = @username FOR SHARE", connection, transaction);
        var owner = await lookup.With("username", username).QuerySingleOrDefaultAsync(ReadUser, cancellationToken);
        if (owner is null)
        {
            return Problems.NotFound($"No user '{username}'. Create it first with POST /v1/admin/users.");
        }

        if (owner.IsActive == false)
        {
            return Problems.Conflict($"User '{username}' is disabled; a key for them would be refused (403).");
        }

        var ttlHours = request?.TtlHours ?? keyOptions.Value.DefaultTtlHours;
        var issued = await ApiKeyStore.IssueAsync(connection, transaction, owner.UserId, ttlHours, request?.Description ?? "issued by admin", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new ApiKeyResponse(issued.ApiKey, issued.KeyPrefix, owner.UserId, owner.Username, issued.ExpiresAt, ttlHours));
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> DisableUserAsync(
        string username, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (!Usernames.IsValid(username))
        {
            return Problems.BadRequest(Usernames.PatternMessage);
        }

        await using var command = dataSource.CreateCommand($"UPDATE api_users SET is_active = false WHERE username = @username RETURNING {UserColumns}");
        var user = await command.With("username", username).QuerySingleOrDefaultAsync(ReadUser, cancellationToken);
        return user is null ? Problems.NotFound($"No user '{username}'.") : TypedResults.Ok(user);
    }

    public static async Task<Results<Ok<RevokeKeyResponse>, ProblemHttpResult>> RevokeKeyAsync(
        [FromRoute(Name = "key_prefix")] string keyPrefix, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (!ApiKeySecret.IsWellFormedPrefix(keyPrefix))
        {
            return Problems.BadRequest($"key_prefix must be the first {ApiKeySecret.PrefixLength} characters of the key (URL-safe characters), as shown in key_prefix.");
        }

        await using var command = dataSource.CreateCommand("UPDATE api_keys SET is_active = false WHERE key_prefix = @keyPrefix AND is_active");
        var revoked = await command.With("keyPrefix", keyPrefix).ExecuteNonQueryAsync(cancellationToken);
        return revoked == 0
            ? Problems.NotFound($"No active key starts with '{keyPrefix}'.")
            : TypedResults.Ok(new RevokeKeyResponse(keyPrefix, revoked, $"Revoked {revoked} key(s); requests with them now answer 403."));
    }

    public static async Task<Ok<QueueMetricsResponse>> GetQueueMetricsAsync(NpgsqlDataSource dataSource, TimeProvider clock, CancellationToken cancellationToken) =>
        TypedResults.Ok(new QueueMetricsResponse(await Pgmq.MetricsAsync(dataSource, QueueNames.All, cancellationToken), clock.GetUtcNow().UtcDateTime));

    private static UserResponse ReadUser(NpgsqlDataReader row) => new()
    {
        UserId = row.GetInt32(0),
        Username = row.GetString(1),
        Email = row.GetNullableString(2),
        CreatedAt = row.GetNullable<DateTime>(3),
        IsActive = row.GetNullable<bool>(4),
    };
}
