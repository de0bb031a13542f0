using Npgsql;
using SmsGateway.Accounts;
using SmsGateway.Status;

namespace SmsGateway.Postgres.Accounts;

/// <summary>
/// Account settings in the <c>account_settings</c> table (migrations 0014, 0100: <c>store_text</c>), sharing the status store's connection pool.
/// </summary>
/// <remarks>Thread-safe: each call takes its own pooled connection.</remarks>
public sealed class PostgresAccountSettingsStore(PostgresStatusStore store) : IAccountSettingsStore
{
    /// <inheritdoc />
    public async ValueTask<AccountSettings> GetAsync(string userId, CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = store.DataSource.CreateCommand("SELECT allowed_senders, callback_url, callback_secret, store_text FROM account_settings WHERE user_id = $1");
            cmd.Parameters.AddWithValue(userId);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return AccountSettings.Empty(userId);
            }

            return new AccountSettings(userId, reader.GetFieldValue<string[]>(0),
                reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetBoolean(3));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new StatusStoreUnavailableException($"PostgreSQL account settings: reading {userId} failed: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(AccountSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = store.DataSource.CreateCommand("""
                INSERT INTO account_settings (user_id, allowed_senders, callback_url, callback_secret, updated_at, store_text)
                VALUES ($1, $2, $3, $4, now(), $5)
                ON CONFLICT (user_id) DO UPDATE SET allowed_senders = EXCLUDED.allowed_senders, callback_url = EXCLUDED.callback_url,
                    callback_secret = EXCLUDED.callback_secret, updated_at = EXCLUDED.updated_at, store_text = EXCLUDED.store_text
                """);
            cmd.Parameters.AddWithValue(settings.UserId);
            cmd.Parameters.AddWithValue(settings.AllowedSenders.ToArray());
            cmd.Parameters.AddWithValue((object?)settings.CallbackUrl ?? DBNull.Value);
            cmd.Parameters.AddWithValue((object?)settings.CallbackSecret ?? DBNull.Value);
            cmd.Parameters.AddWithValue(settings.StoreText);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new StatusStoreUnavailableException($"PostgreSQL account settings: saving {settings.UserId} failed: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> FindAccountsBySenderAsync(IReadOnlyList<string> senders, CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = store.DataSource.CreateCommand(
                "SELECT user_id FROM account_settings WHERE allowed_senders && $1 ORDER BY user_id COLLATE \"C\"");
            cmd.Parameters.AddWithValue(senders.ToArray());
            var users = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                users.Add(reader.GetString(0));
            }

            return users;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new StatusStoreUnavailableException($"PostgreSQL account settings: finding the owners of a sender failed: {e.Message}", e);
        }
    }
}
