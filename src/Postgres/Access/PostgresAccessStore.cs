using Microsoft.Extensions.Logging;
using Npgsql;
using SmsGateway.Access;

namespace SmsGateway.Postgres;

/// <summary>
/// <see cref="IAccessStore"/> on PostgreSQL (tables <c>api_keys</c> and <c>account_limits</c>, migration
/// <c>0013_access.sql</c>), sharing the connection pool of the status store. Callers cache lookups (the host keeps them
/// at most <c>Auth:KeyCacheMs</c>).
/// </summary>
/// <remarks>Thread-safe. Every failure to reach the database is an <see cref="AccessStoreUnavailableException"/>.</remarks>
public sealed class PostgresAccessStore(PostgresStatusStore statusStore, ILogger<PostgresAccessStore> logger) : IAccessStore
{
    private readonly NpgsqlDataSource _dataSource = statusStore.DataSource;

    /// <inheritdoc />
    public Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken) =>
        RunAsync("add key", async connection =>
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO api_keys (key_id, user_id, secret_sha256, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5)", connection);
            command.Parameters.Add(new() { Value = key.KeyId });
            command.Parameters.Add(new() { Value = key.UserId });
            command.Parameters.Add(new() { Value = key.SecretHash });
            command.Parameters.Add(new() { Value = key.CreatedAt });
            command.Parameters.Add(new() { Value = (object?)key.RevokedAt ?? DBNull.Value });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });

    /// <inheritdoc />
    public Task<ApiKeyRecord?> FindKeyAsync(string keyId, CancellationToken cancellationToken) =>
        RunAsync("find key", async connection =>
        {
            var keys = await ReadKeysAsync(connection, "key_id = $1", keyId, cancellationToken).ConfigureAwait(false);
            return keys.Count == 0 ? null : keys[0];
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string userId, CancellationToken cancellationToken) =>
        RunAsync("list keys", async connection =>
            (IReadOnlyList<ApiKeyRecord>)await ReadKeysAsync(connection, "user_id = $1", userId, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public Task<bool> RevokeKeyAsync(string userId, string keyId, DateTimeOffset at, CancellationToken cancellationToken) =>
        RunAsync("revoke key", async connection =>
        {
            await using var command = new NpgsqlCommand(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE key_id = $1 AND user_id = $2", connection);
            command.Parameters.Add(new() { Value = keyId });
            command.Parameters.Add(new() { Value = userId });
            command.Parameters.Add(new() { Value = at });
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        });

    /// <inheritdoc />
    public Task<AccountLimits?> GetLimitsAsync(string userId, CancellationToken cancellationToken) =>
        RunAsync("read limits", async connection =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT requests_per_second, messages_per_second, messages_per_day FROM account_limits WHERE user_id = $1", connection);
            command.Parameters.Add(new() { Value = userId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return new AccountLimits(
                reader.IsDBNull(0) ? null : reader.GetInt32(0),
                reader.IsDBNull(1) ? null : reader.GetInt32(1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2));
        });

    /// <inheritdoc />
    public Task SetLimitsAsync(string userId, AccountLimits limits, CancellationToken cancellationToken) =>
        RunAsync("write limits", async connection =>
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO account_limits (user_id, requests_per_second, messages_per_second, messages_per_day) VALUES ($1, $2, $3, $4) " +
                "ON CONFLICT (user_id) DO UPDATE SET requests_per_second = EXCLUDED.requests_per_second, " +
                "messages_per_second = EXCLUDED.messages_per_second, messages_per_day = EXCLUDED.messages_per_day", connection);
            command.Parameters.Add(new() { Value = userId });
            command.Parameters.Add(new() { Value = (object?)limits.RequestsPerSecond ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            command.Parameters.Add(new() { Value = (object?)limits.MessagesPerSecond ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            command.Parameters.Add(new() { Value = (object?)limits.MessagesPerDay ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });

    private static async Task<List<ApiKeyRecord>> ReadKeysAsync(NpgsqlConnection connection, string where, string value, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT key_id, user_id, secret_sha256, created_at, revoked_at FROM api_keys WHERE {where} ORDER BY created_at", connection);
        command.Parameters.Add(new() { Value = value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<ApiKeyRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(new ApiKeyRecord(reader.GetString(0), reader.GetString(1), (byte[])reader[2],
                reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return keys;
    }

    private async Task<T> RunAsync<T>(string what, Func<NpgsqlConnection, Task<T>> action)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
            return await action(connection).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException && ex is not ObjectDisposedException)
        {
            PostgresAccessLog.Failed(logger, what, ex);
            throw new AccessStoreUnavailableException($"PostgreSQL key store: {what} failed: {ex.Message}", ex);
        }
    }
}
