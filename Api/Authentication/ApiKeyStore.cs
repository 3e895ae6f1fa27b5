using Dapper;
using Npgsql;

namespace GpuDev.Api.Authentication;

/// <summary>A stored key as authentication sees it.</summary>
public sealed record StoredApiKey(int KeyId, string KeyPrefix, int UserId, string Username, string State);

/// <summary>A key just issued: the only moment the key itself exists outside the caller.</summary>
public sealed record IssuedApiKey(string ApiKey, string KeyPrefix, DateTime ExpiresAt);

/// <summary>Reads and writes <c>api_keys</c>. Keys are looked up by their SHA-256 hash only.</summary>
public sealed class ApiKeyStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Finds the key by hash and, when it is usable, records the use, in one statement. Null when no
    /// key has that hash.
    /// </summary>
    public async Task<StoredApiKey?> AuthenticateAsync(string apiKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Every request touches its key's row; waiting for a WAL flush on each would serialise all requests
        // of one key behind the disk. Losing a last_used_at in a crash is harmless, so this commit is asynchronous.
        var key = await connection.QuerySingleOrDefaultAsync<StoredApiKey>(new CommandDefinition(
            """
            SET LOCAL synchronous_commit = off;
            WITH found AS (
                SELECT k.key_id, k.key_prefix, u.user_id, u.username,
                       CASE WHEN NOT coalesce(u.is_active, false) THEN 'user_disabled'
                            WHEN NOT coalesce(k.is_active, false) THEN 'revoked'
                            WHEN k.expires_at IS NOT NULL AND k.expires_at <= now() THEN 'expired'
                            ELSE 'valid' END AS state
                FROM api_keys k JOIN api_users u ON u.user_id = k.user_id
                WHERE k.key_hash = @hash),
            touched AS (
                UPDATE api_keys SET last_used_at = now()
                WHERE key_id = (SELECT key_id FROM found WHERE state = 'valid'))
            SELECT key_id AS KeyId, key_prefix AS KeyPrefix, user_id AS UserId, username AS Username, state AS State FROM found
            """,
            new { hash = ApiKeySecret.Hash(apiKey) },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return key;
    }

    /// <summary>Issues a new key for a user inside the caller's transaction.</summary>
    public static async Task<IssuedApiKey> IssueAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, int userId, int ttlHours, string? description, CancellationToken cancellationToken)
    {
        var key = ApiKeySecret.Generate();
        var expiresAt = await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(
            """
            INSERT INTO api_keys (user_id, key_hash, key_prefix, expires_at, description)
            VALUES (@userId, @hash, @prefix, now() + make_interval(hours => @ttlHours), @description)
            RETURNING expires_at
            """,
            new { userId, hash = ApiKeySecret.Hash(key), prefix = ApiKeySecret.Prefix(key), ttlHours, description },
            transaction,
            cancellationToken: cancellationToken));
        return new IssuedApiKey(key, ApiKeySecret.Prefix(key), expiresAt);
    }
}
