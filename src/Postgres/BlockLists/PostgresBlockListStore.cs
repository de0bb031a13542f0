using Npgsql;
using SmsGateway.BlockLists;
using SmsGateway.Status;

namespace SmsGateway.Postgres.BlockLists;

/// <summary>
/// Block lists in <c>blocked_recipients</c> (migration 0151); every change bumps the list's row of <c>block_list_versions</c>
/// in the same statement, so a reader that saw a version has every change up to it.
/// </summary>
/// <remarks>Thread-safe: each call takes its own pooled connection.</remarks>
public sealed class PostgresBlockListStore(PostgresStatusStore store) : IBlockListStore
{
    private const string BumpVersion = """
        INSERT INTO block_list_versions (list_id, version) SELECT $1, 1 FROM changed
        ON CONFLICT (list_id) DO UPDATE SET version = block_list_versions.version + 1
        """;

    /// <inheritdoc />
    public ValueTask<bool> AddAsync(string list, BlockedRecipient entry, CancellationToken cancellationToken) =>
        ChangeAsync($"""
            WITH changed AS (INSERT INTO blocked_recipients (list_id, msisdn, source, added_at) VALUES ($1, $2, $3, $4)
                             ON CONFLICT (list_id, msisdn) DO NOTHING RETURNING 1)
            {BumpVersion}
            """, list, entry.Msisdn, cmd =>
        {
            cmd.Parameters.AddWithValue(entry.Source);
            cmd.Parameters.AddWithValue(entry.AddedAt);
        }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(string list, string msisdn, CancellationToken cancellationToken) =>
        ChangeAsync($"""
            WITH changed AS (DELETE FROM blocked_recipients WHERE list_id = $1 AND msisdn = $2 RETURNING 1)
            {BumpVersion}
            """, list, msisdn, null, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<BlockedRecipient>> ListAsync(string list, CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = store.DataSource.CreateCommand(
                "SELECT msisdn, source, added_at FROM blocked_recipients WHERE list_id = $1 ORDER BY msisdn COLLATE \"C\"");
            cmd.Parameters.AddWithValue(list);
            var entries = new List<BlockedRecipient>();
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new BlockedRecipient(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
            }

            return entries;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new StatusStoreUnavailableException($"PostgreSQL block lists: reading list {list} failed: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<long> VersionAsync(string list, CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = store.DataSource.CreateCommand("SELECT version FROM block_list_versions WHERE list_id = $1");
            cmd.Parameters.AddWithValue(list);
            return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long v ? v : 0;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new StatusStoreUnavailableException($"PostgreSQL block lists: reading the version of list {list} failed: {e.Message}", e);
        }
    }

    // The statement changes a row (CTE "changed") and bumps the version only when it did; true when it changed something.
    private async ValueTask<bool> ChangeAsync(string sql, string list, string msisdn, Action<NpgsqlCommand>? more, CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = store.DataSource.CreateCommand(sql);
            cmd.Parameters.AddWithValue(list);
            cmd.Parameters.AddWithValue(msisdn);
            more?.Invoke(cmd);
            return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new StatusStoreUnavailableException($"PostgreSQL block lists: changing list {list} failed: {e.Message}", e);
        }
    }
}
