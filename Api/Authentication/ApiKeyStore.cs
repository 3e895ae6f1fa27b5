using GpuDev.Api.Infrastructure;
using Npgsql;

namespace GpuDev.Api.Authentication;

/// <summary>A stored key as authentication sees it.</summary>
public sealed record StoredApiKey(int KeyId, string KeyPrefix, int UserId, string Username, string State)
{
    /// <summary>A row with the columns in this order: key_id, key_prefix, user_id, username, state.</summary>
    public static StoredApiKey Read(NpgsqlDataReader row) =>
        new(row.GetInt32(0), row.GetString(1), row.GetInt32(2), row.GetString(3), row.GetString(4));
}

/// <summary>A key just issued: the only moment the key itself exists outside the caller.</summary>
public sealed record IssuedApiKey(string ApiKey, string KeyPrefix, DateTime ExpiresAt);

/// <summary>Reads and writes <c>api_keys</c>. Keys are looked up by their SHA-256 hash only.</summary>
public sealed class ApiKeyStore(NpgsqlDataSource dataSource, ApiKeyUsageRecorder usage)
{
    /// <summary>
    /// Finds the key by hash, in one read, and records the use when the key is usable. Null when no key
    /// has that hash.
    /// </summary>
    public async Task<StoredApiKey?> AuthenticateAsync(string apiKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT k.key_id AS KeyId, k.key_prefix AS KeyPrefix, u.user_id AS UserId, u.username AS Username,
                   CASE WHEN NOT coalesce(u.is_active, false) THEN 'user_disabled'
                        WHEN NOT coalesce(k.is_active, false) THEN 'revoked'
                        WHEN k.expires_at IS NOT NULL AND k.expires_at <= now() THEN 'expired'
                        ELSE 'valid' END AS State
            FROM api_keys k JOIN api_users u ON u.user_id = k.user_id
            WHERE k.key_hash = @hash
            """);
        var key = await command.With("hash", ApiKeySecret.Hash(apiKey)).QuerySingleOrDefaultAsync(StoredApiKey.Read, cancellationToken);
        if (key is { State: "valid" })
        {
            await usage.RecordAsync(key.KeyId, cancellationToken);
        }

        return key;
    }

    /// <summary>Issues a new key for a user inside the caller's transaction.</summary>
    public static async Task<IssuedApiKey> IssueAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, int userId, int ttlHours, string? description, CancellationToken cancellationToken)
    {
        var key = ApiKeySecret.Generate();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO api_keys (user_id, key_hash, key_prefix, expires_at, description)
            VALUES (@userId, @hash, @prefix, now() + make_interval(hours => @ttlHours), @description)
            RETURNING expires_at
            """,
            connection, transaction);
        var expiresAt = await command
            .With("userId", userId).With("hash", ApiKeySecret.Hash(key)).With("prefix", ApiKeySecret.Prefix(key))
            .With("ttlHours", ttlHours).With("description", description)
            .QueryScalarAsync<DateTime>(cancellationToken);
        return new IssuedApiKey(key, ApiKeySecret.Prefix(key), expiresAt);
    }
}
